"""A public deployment's security, against the real servers started by scripts/serve.sh:

* Rasa's HTTP API (trackers, status, model) answers only with the token serve.sh made (kept in
  RASA_TOKEN_FILE, mode 600, its path printed and never the token) or a JWT signed with
  RASA_JWT_SECRET (HS256, made here with PyJWT from .venv-rasa); the channels and GET / stay
  open;
* whole conversations in English and Chinese, full of personal facts, leave none of them in
  logs/rasa.log and logs/actions.log at the default log level.
"""
import json
import os
import re
import signal
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from test_persistence import _stop
from test_rest_conversations import ROOT, Chat, _free_port

MODEL = os.environ.get("MODEL")
pytestmark = pytest.mark.skipif(not MODEL, reason="needs MODEL=<trained model> (make test sets it)")
RASA_PY = str(ROOT / ".venv-rasa" / "bin" / "python")
JWT_SECRET = secrets.token_urlsafe(32)


def _start_collecting(env, until="Assistant ready", timeout=600):
    """scripts/serve.sh MODEL; returns it and what it printed once `until` is printed (serve.sh
    polls both servers' health URLs before it says ready)."""
    proc = subprocess.Popen(["scripts/serve.sh", env.get("SERVE_MODEL", MODEL)], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines, deadline = [], time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if until in line:
            return proc, lines
        if time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGINT)
    pytest.fail(f"serve.sh did not print {until!r}:\n{''.join(lines[-20:])}")


def _env(tmp, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("RASA_AUTH_TOKEN", "RASA_JWT_SECRET", "LOG_LEVEL", "LOG_LEVEL_LIBRARIES",
                        "WEB_PORT")}
    env.update(RASA_PORT=str(_free_port()), ACTION_PORT=str(_free_port()),
               TRACKER_DB=str(tmp / "tracker.db"), LOG_DIR=str(tmp / "logs"),
               RASA_TOKEN_FILE=str(tmp / "api-token"), RASA_ENABLE_API="1")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security")
    env = _env(tmp, RASA_JWT_SECRET=JWT_SECRET)     # no RASA_AUTH_TOKEN: serve.sh makes one
    proc, printed = _start_collecting(env)
    try:
        yield {"base": f"http://127.0.0.1:{env['RASA_PORT']}", "env": env, "printed": printed,
               "token_file": tmp / "api-token", "logs": tmp / "logs"}
    finally:
        _stop(proc)


def _request(url, method="GET", headers=None, data=None):
    """(status, JSON body or text) without raising on HTTP errors."""
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=json.dumps(data).encode() if data is not None else None)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def _tracker_url(base, sender, token=None):
    query = {"include_events": "NONE", **({"token": token} if token is not None else {})}
    return f"{base}/conversations/{urllib.parse.quote(sender)}/tracker?{urllib.parse.urlencode(query)}"


def _jwt(payload, secret=JWT_SECRET):
    """An HS256 JWT made by PyJWT (shipped with Rasa, in .venv-rasa)."""
    code = "import jwt, json, sys; print(jwt.encode(json.loads(sys.argv[1]), sys.argv[2], algorithm='HS256'))"
    return subprocess.run([RASA_PY, "-c", code, json.dumps(payload), secret], check=True,
                          capture_output=True, text=True).stdout.strip()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- the token ----------------------------------------------------------------------------------


def test_serve_sh_makes_the_token_once_keeps_it_private_and_prints_only_where_it_is(servers, tmp_path):
    token_file = servers["token_file"]
    token = token_file.read_text().strip()
    assert len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert (token_file.stat().st_mode & 0o777) == 0o600
    printed = "".join(servers["printed"])
    assert f"Rasa HTTP API token: in {token_file}" in printed
    assert token not in printed
    assert token not in (servers["logs"] / "rasa.log").read_text(errors="replace")

    # started again with the same file: the same token (stopped as soon as it says so)
    env = _env(tmp_path, RASA_TOKEN_FILE=str(token_file), SERVE_MODEL=str(tmp_path / "none.tar.gz"))
    proc, again = _start_collecting(env, until="Rasa HTTP API token", timeout=120)
    _stop(proc)
    assert f"in {token_file}" in "".join(again)
    assert token_file.read_text().strip() == token and (token_file.stat().st_mode & 0o777) == 0o600


def test_the_http_api_needs_the_token(servers):
    base, token = servers["base"], servers["token_file"].read_text().strip()
    chat = Chat(base)
    chat.say("hello")
    assert _request(_tracker_url(base, chat.sender))[0] == 401
    assert _request(_tracker_url(base, chat.sender, token="wrong-" + token[:8]))[0] in (401, 403)
    assert _request(_tracker_url(base, chat.sender, token=""))[0] == 401
    status, tracker = _request(_tracker_url(base, chat.sender, token))
    assert status == 200 and tracker["sender_id"] == chat.sender

    # the rest of the API as well: status, model (nothing is changed: refused before the body
    # is read), and adding events to someone's conversation
    assert _request(f"{base}/status")[0] == 401
    assert _request(f"{base}/status?token={token}")[0] == 200
    assert _request(f"{base}/model", method="DELETE")[0] == 401
    assert _request(f"{base}/model", method="PUT", data={})[0] == 401
    assert _request(f"{base}/model/parse", method="POST", data={"text": "hi"})[0] == 401
    events = f"{base}/conversations/{chat.sender}/tracker/events"
    assert _request(events, method="POST", data={"event": "restart"})[0] == 401
    assert _request(f"{base}/conversations/{chat.sender}/messages", method="POST",
                    data={"text": "hi", "sender": "user"})[0] == 401


def test_the_channels_and_the_root_stay_open(servers):
    base = servers["base"]
    status, body = _request(f"{base}/")
    assert status == 200 and "Hello from Rasa" in str(body)
    chat = Chat(base)
    assert "Top Talent Pass" in chat.text(chat.say("hello"))        # REST webhook, no token
    assert _request(f"{base}/webhooks/rest/")[0] == 200
    # the widget's Socket.IO handshake
    status, body = _request(f"{base}/socket.io/?EIO=4&transport=polling")
    assert status == 200 and "sid" in str(body)


def test_the_action_server_listens_on_loopback_only(servers):
    """It has no authentication; only Rasa, on the same host, calls it."""
    actions_log = (servers["logs"] / "actions.log").read_text(errors="replace")
    assert f"up and running on http://127.0.0.1:{servers['env']['ACTION_PORT']}" in actions_log


def test_a_jwt_signed_with_the_secret_opens_the_api(servers):
    base = servers["base"]
    mine, other = Chat(base), Chat(base)
    mine.say("hello")
    other.say("hello")
    admin = _jwt({"user": {"username": "ops", "role": "admin"}})
    assert _request(_tracker_url(base, other.sender), headers=_bearer(admin))[0] == 200
    assert _request(f"{base}/status", headers=_bearer(admin))[0] == 200
    # a person's own token reads their conversation only
    user = _jwt({"user": {"username": mine.sender, "role": "user"}})
    status, tracker = _request(_tracker_url(base, mine.sender), headers=_bearer(user))
    assert status == 200 and tracker["sender_id"] == mine.sender
    assert _request(_tracker_url(base, other.sender), headers=_bearer(user))[0] == 403
    # signed with another secret, expired, or not signed at all: refused
    forged = _jwt({"user": {"username": "ops", "role": "admin"}}, secret="not-" + JWT_SECRET)
    assert _request(_tracker_url(base, other.sender), headers=_bearer(forged))[0] == 401
    # (sanic-jwt allows 3 minutes of clock skew past "exp")
    expired = _jwt({"user": {"username": "ops", "role": "admin"}, "exp": int(time.time()) - 3600})
    assert _request(_tracker_url(base, other.sender), headers=_bearer(expired))[0] == 401
    assert _request(_tracker_url(base, other.sender), headers=_bearer("not.a.jwt"))[0] == 401


# --- the logs -----------------------------------------------------------------------------------

ENGLISH = ["hello, I'm Wong Siu Ming", "check my eligibility", "HK$2.8M salary", "yes",
           "University of Edinburgh", "I graduated in July 2019", "I have worked 4 years since then",
           "I'm Canadian", "yes"]
CHINESE = ["你好，我叫黄小明", "查一下我的资格", "年薪350万港币", "有", "复旦大学",
           "2018年7月毕业", "工作了五年", "我是新加坡人", "是的"]
# Rasa's own warning for a /intent{...} message whose JSON breaks carries the whole text
BROKEN_INTENT = '/inform{"name": "Wong Siu Ming", "income": "HK$2.8M"'

# Every form the facts could take in a log line: as typed, as parsed, as the engine writes them.
PERSONAL = [
    "Wong", "Siu Ming", "黄小明", "小明",                                     # name
    "2.8M", "2,800,000", "2800000", "2.8 million", "HKD 2,800,000", "280万",  # incomes
    "350万", "3,500,000", "3500000", "3.5M", "港币3,500,000",
    "Edinburgh", "爱丁堡", "复旦", "Fudan",                                  # universities
    "July 2019", "2019-07", "2018年7月", "2018-07",                           # graduation
    "4 years", "五年",                                                        # work
    "Canadian", "Canada", "加拿大", "新加坡", "Singapore",                     # nationality
]


def test_no_personal_fact_reaches_the_logs(servers):
    base = servers["base"]
    english, chinese = Chat(base), Chat(base)
    replies = [english.say(text) for text in ENGLISH]
    a = english.assessment(replies[-1])          # the facts went all the way to the verdict
    assert a["categories"]["A"]["status"] == "eligible", english.text(replies[-1])
    english.say(BROKEN_INTENT)
    replies = [chinese.say(text) for text in CHINESE]
    assert chinese.assessment(replies[-1])["lang"] == "zh-Hans", chinese.text(replies[-1])
    chinese.say("我叫黄小明，年薪350万，在复旦大学读的硕士")

    rasa_log = (servers["logs"] / "rasa.log").read_text(encoding="utf-8", errors="replace")
    actions_log = (servers["logs"] / "actions.log").read_text(encoding="utf-8", errors="replace")
    # the right files, at the default level (INFO: start-up lines, no DEBUG)
    assert "Rasa server is up and running" in rasa_log, rasa_log[-2000:]
    assert "Action endpoint is up and running" in actions_log, actions_log[-2000:]
    assert "DEBUG" not in rasa_log and "DEBUG" not in actions_log

    said = ENGLISH + CHINESE + [BROKEN_INTENT]
    for name, log in (("rasa.log", rasa_log), ("actions.log", actions_log)):
        lowered = log.lower()
        leaked = [v for v in PERSONAL if v.lower() in lowered]
        leaked += [t for t in said if len(t) >= 4 and t.lower() in lowered]
        assert not leaked, f"{name} holds {leaked}:\n" + "\n".join(
            line for line in log.splitlines() if any(v.lower() in line.lower() for v in leaked))
