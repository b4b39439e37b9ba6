"""Throttling of failed sign-ins (src/sousveil/web/signin.py), in process, with a fake clock and sleep."""

import asyncio
import json

import pytest
from datasette_auth_passwords.utils import hash_password

from sousveil.web import signin
from sousveil.web.server import make_app

from .test_web import Client

PASSWORD = "correct horse battery"


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.slept.append(seconds)  # no real waiting: the tests only see how long it would have been


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    # Few PBKDF2 iterations keep the tests quick; the check is the same as for `sousveil reviewer`'s hashes.
    path = tmp_path_factory.mktemp("throttle") / "reviewers.json"
    path.write_text(json.dumps({"alice": hash_password(PASSWORD, iterations=1000),
                                "bob": hash_password(PASSWORD, iterations=1000)}), encoding="utf-8")
    return path


@pytest.fixture
def fake():
    return FakeTime()


@pytest.fixture
def app(web_db, accounts, fake):
    client = Client(make_app(str(web_db["db_path"]), reviewers=str(accounts)))
    client.ds._sousveil_signin_throttle = signin.Throttle(clock=fake.clock, sleep=fake.sleep)
    yield client
    client.loop.close()


def sign_in(app, name, password):
    token = app.form_token(app.get("/-/login").text)
    return app.post("/-/login", data={"username": name, "password": password, "csrftoken": token})


def signed_in(response):
    return response.status_code == 302 and "ds_actor" in response.cookies


def test_the_right_password_signs_in_and_a_wrong_one_is_answered_slowly(app, fake):
    assert app.get("/-/login").status_code == 200
    assert signed_in(sign_in(app, "alice", PASSWORD))
    assert fake.slept == []  # a success waits for nothing
    wrong = sign_in(app, "alice", "wrong password")
    assert wrong.status_code == 200 and "Invalid username or password" in wrong.text
    assert "ds_actor" not in wrong.cookies
    assert fake.slept == [0.5]


def test_five_failures_lock_the_account_for_fifteen_minutes(app, fake):
    for _ in range(5):
        assert sign_in(app, "alice", "wrong password").status_code == 200
    assert fake.slept == [0.5, 1.0, 1.5, 2.0, 2.5]  # growing with every failure
    refused = sign_in(app, "alice", PASSWORD)  # even the right password: the account is locked
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "900"
    assert "Too many failed sign-ins" in refused.text and "15 minutes" in refused.text
    assert "ds_actor" not in refused.cookies
    assert len(fake.slept) == 5  # a refusal is answered at once, without checking the password
    fake.now += 600
    assert sign_in(app, "alice", PASSWORD).headers["retry-after"] == "300"
    assert signed_in(sign_in(app, "bob", PASSWORD))  # another account from the same address still signs in
    fake.now += 301
    assert signed_in(sign_in(app, "alice", PASSWORD))


def test_a_repeated_lock_lasts_twice_as_long(app, fake):
    for expected in ("900", "1800", "3600"):
        for _ in range(5):
            sign_in(app, "alice", "wrong password")
        refused = sign_in(app, "alice", "wrong password")
        assert refused.status_code == 429 and refused.headers["retry-after"] == expected
        fake.now += int(expected) + 1
    assert signed_in(sign_in(app, "alice", PASSWORD))  # the lock ended; success resets the count
    for _ in range(5):
        sign_in(app, "alice", "wrong password")
    assert sign_in(app, "alice", "x").headers["retry-after"] == "900"  # back to the first length


def test_a_successful_sign_in_resets_the_account_count(app, fake):
    for _ in range(4):
        sign_in(app, "alice", "wrong password")
    assert signed_in(sign_in(app, "alice", PASSWORD))
    for _ in range(4):
        assert sign_in(app, "alice", "wrong password").status_code == 200
    assert signed_in(sign_in(app, "alice", PASSWORD))  # 4 since the success: not locked
    # The address's count is not reset by a success (8 failures): its delay, 0.5 s x 8, capped at 4 s.
    assert fake.slept[-1] == 4.0


def test_failures_outside_the_window_do_not_add_up(app, fake):
    for _ in range(12):
        assert sign_in(app, "alice", "wrong password").status_code == 200
        fake.now += 4 * 60  # at most four failures in any fifteen minutes
    assert signed_in(sign_in(app, "alice", PASSWORD))


def test_guessing_many_names_from_one_address_locks_the_address(app, fake):
    for i in range(20):
        assert sign_in(app, f"guess{i}", "wrong password").status_code == 200
    assert max(fake.slept) == 4.0  # the delay is capped
    refused = sign_in(app, "alice", PASSWORD)  # the address is locked, whatever the account
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    fake.now += 901
    assert signed_in(sign_in(app, "alice", PASSWORD))


def test_concurrent_guesses_cannot_pass_the_limit_together(app, fake):
    token = app.form_token(app.get("/-/login").text)

    async def guess():
        return await app.ds.client.post("/-/login", cookies=dict(app.cookies),
                                        data={"username": "alice", "password": "wrong", "csrftoken": token})

    async def many():
        return await asyncio.gather(*(guess() for _ in range(12)))

    statuses = sorted(r.status_code for r in app.loop.run_until_complete(many()))
    assert statuses == [200] * 5 + [429] * 7


def test_public_mode_has_no_accounts_and_still_counts(web_db, fake):
    client = Client(make_app(str(web_db["db_path"]), public=True))
    client.ds._sousveil_signin_throttle = signin.Throttle(clock=fake.clock, sleep=fake.sleep)
    assert "does not have any configured accounts" in client.get("/-/login").text
    for _ in range(5):
        assert sign_in(client, "alice", PASSWORD).status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    client.loop.close()


def test_the_state_is_bounded():
    fake = FakeTime()
    throttle = signin.Throttle(max_keys=100, clock=fake.clock, sleep=fake.sleep)
    for i in range(1000):
        throttle.failure([("address", "127.0.0.1"), ("account", f"name{i}")])
    assert len(throttle.entries) == 100
    assert ("address", "127.0.0.1") in throttle.entries  # used at every failure: the last to be dropped
    assert ("account", "name0") not in throttle.entries and ("account", "name999") in throttle.entries


def test_a_day_of_quiet_forgets_earlier_locks():
    fake = FakeTime()
    throttle = signin.Throttle(clock=fake.clock, sleep=fake.sleep)
    key = [("account", "alice")]
    for _ in range(5):
        throttle.failure(key)
    assert throttle.retry_after(key) == 900
    fake.now += 2 * 24 * 3600
    assert throttle.retry_after(key) == 0 and key[0] not in throttle.entries
    for _ in range(5):
        throttle.failure(key)
    assert throttle.retry_after(key) == 900  # not doubled
