"""Reviewers' sign-in (`/-/login`) with throttling of failed attempts.

The password check is datasette-auth-passwords' (the same accounts, hashes and `ds_actor` cookie);
this view takes the plugin's place at `/-/login` (sousveil's routes are registered first) so that
every check goes through a `Throttle`:

- each failure is counted against the account name and against the client address; every failed
  attempt is answered after a growing delay (`delay_step` seconds times the failures in the window,
  at most `max_delay`);
- after `account_limit` failures of one name, or `address_limit` from one address, within `window`
  seconds, every attempt for that key is refused with 429 and a Retry-After header, without looking
  at the password, for `lockout` seconds, doubling with each further lock (at most `max_lockout`);
- a successful sign-in resets the account's counter (not the address's: a valid account must not
  clear the count of guesses at other accounts).

The state lives in the server's memory (a restart forgets it), in an LRU of at most `max_keys`
keys. Checks are made one at a time, so concurrent guesses cannot slip past the limit together.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from datasette.utils.asgi import Response
from datasette_auth_passwords.utils import hash_password, verify_password

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = 15 * 60
LOCKOUT = 15 * 60
MAX_LOCKOUT = 24 * 3600
DELAY_STEP = 0.5
MAX_DELAY = 4.0
MAX_KEYS = 10_000


@dataclass
class _Entry:
    failures: deque = field(default_factory=deque)  # times of the failures within the window
    locked_until: float = 0.0
    lockouts: int = 0  # locks so far: each doubles the next
    last: float = 0.0


class Throttle:
    """Failed sign-ins per key (`("account", name)`, `("address", host)`); `clock` and `sleep`
    are injectable so that tests need not wait."""

    def __init__(self, account_limit: int = ACCOUNT_LIMIT, address_limit: int = ADDRESS_LIMIT,
                 window: float = WINDOW, lockout: float = LOCKOUT, max_lockout: float = MAX_LOCKOUT,
                 delay_step: float = DELAY_STEP, max_delay: float = MAX_DELAY, max_keys: int = MAX_KEYS,
                 clock=time.monotonic, sleep=asyncio.sleep):
        self.limits = {"account": account_limit, "address": address_limit}
        self.window, self.lockout, self.max_lockout = window, lockout, max_lockout
        self.delay_step, self.max_delay, self.max_keys = delay_step, max_delay, max_keys
        self.clock, self.sleep = clock, sleep
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.lock = asyncio.Lock()

    def _entry(self, key: tuple, create: bool = False) -> _Entry | None:
        entry = self.entries.get(key)
        now = self.clock()
        if entry is not None and now - entry.last > self.max_lockout and entry.locked_until <= now:
            del self.entries[key]  # quiet for a day: forget the earlier locks too
            entry = None
        if entry is None and create:
            entry = self.entries[key] = _Entry()
            while len(self.entries) > self.max_keys:
                self.entries.popitem(last=False)  # the least recently used key
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def retry_after(self, keys: list[tuple]) -> float:
        """Seconds until every key may try again (0: none is locked)."""
        now = self.clock()
        waits = [entry.locked_until - now for key in keys if (entry := self._entry(key)) is not None]
        return max([0.0, *waits])

    def failure(self, keys: list[tuple]) -> float:
        """Count a failed attempt against each key; the delay to answer it after."""
        now = self.clock()
        worst = 0
        for key in keys:
            entry = self._entry(key, create=True)
            entry.last = now
            while entry.failures and now - entry.failures[0] > self.window:
                entry.failures.popleft()
            entry.failures.append(now)
            worst = max(worst, len(entry.failures))
            if len(entry.failures) >= self.limits[key[0]]:
                entry.locked_until = now + min(self.lockout * 2 ** entry.lockouts, self.max_lockout)
                entry.lockouts += 1
                entry.failures.clear()
        return min(self.delay_step * worst, self.max_delay)

    def success(self, account_key: tuple) -> None:
        self.entries.pop(account_key, None)


def throttle_for(datasette) -> Throttle:
    """The Datasette instance's throttle (tests may set `datasette._sousveil_signin_throttle`)."""
    throttle = getattr(datasette, "_sousveil_signin_throttle", None)
    if throttle is None:
        throttle = datasette._sousveil_signin_throttle = Throttle()
    return throttle


_DUMMY_HASHES: dict[str, str] = {}


def _check(password: str, password_hash: str | None, accounts: dict) -> bool:
    if not password_hash:  # an unknown name costs the time of a known one: no telling which names exist
        some = next(iter(accounts.values()), "")
        iterations = some.split("$")[1] if some.count("$") == 3 and some.split("$")[1].isdigit() else "480000"
        if iterations not in _DUMMY_HASHES:
            _DUMMY_HASHES[iterations] = hash_password("not a password", iterations=int(iterations))
        verify_password(password, _DUMMY_HASHES[iterations])
        return False
    return verify_password(password, password_hash)


def _refusal(wait: float) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return (f"Too many failed sign-ins for this account or from this address: sign-in is refused for "
            f"{minutes} minute{'s' if minutes != 1 else ''}. Try again later.")


async def login(request, datasette):
    config = datasette.plugin_config("datasette-auth-passwords") or {}
    accounts = {key.split("_password_hash")[0]: value for key, value in config.items() if key.endswith("_password_hash")}
    actors = config.get("actors") or {}
    error, status, headers = None, 200, {}
    if not accounts:
        error = "This instance does not have any configured accounts"
    if request.method == "POST":
        post_vars = await request.post_vars()
        username = post_vars.get("username") or ""
        password = post_vars.get("password") or ""
        client = request.scope.get("client") or ("unknown", 0)
        keys = [("address", str(client[0])), ("account", username[:100])]
        throttle = throttle_for(datasette)
        delay = 0.0
        async with throttle.lock:  # one check at a time: parallel guesses meet the counts of the others
            wait = throttle.retry_after(keys)
            if wait > 0:
                error, status = _refusal(wait), 429
                headers["Retry-After"] = str(math.ceil(wait))
            elif await asyncio.to_thread(_check, password, accounts.get(username), accounts):
                throttle.success(keys[1])
                actor = actors.get(username) or {"id": username}
                response = Response.redirect(datasette.urls.path("/"))
                response.set_cookie("ds_actor", datasette.sign({"a": actor}, "actor"))
                return response
            else:
                delay = throttle.failure(keys)
                error = "Invalid username or password"
        if delay:
            await throttle.sleep(delay)
    html = await datasette.render_template("password_login.html", {"error": error}, request=request)
    return Response.html(html, status=status, headers=headers)


ROUTES = [(r"^/-/login$", login)]
