"""Exports: flat CSV and JSON Lines (flat), OCDS release and record packages (ocds), and
FollowTheMoney entities (ftm). Every format labels synthetic notices."""
