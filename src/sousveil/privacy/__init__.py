"""Privacy: personal contact data is removed from text before anything is stored."""
