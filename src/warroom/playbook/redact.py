"""Hide the secrets in contact URLs before a playbook is shown or dumped.

Contact methods are Apprise-style URLs, and many of them carry credentials in places a web URL
would not (``slack://TokenA/TokenB/TokenC``, ``discord://id/token``). The rules err on the side of
hiding too much: the output is for people to read, never to send with.
"""

from __future__ import annotations

import re

MASK = "***"

# Schemes whose host is a real host name and whose path is an ordinary path.
_WEB_SCHEMES = frozenset(
    {"http", "https", "mailto", "mailtos", "json", "jsons", "xml", "xmls", "form", "forms"}
)
_SECRET_KEY = re.compile(r"token|key|secret|pass|auth|sig|credential", re.IGNORECASE)
_HOSTNAME = re.compile(r"^(localhost|\[[0-9a-f:.]+\]|[^.]+(\.[^.]+)+)$", re.IGNORECASE)


def _token_like(segment: str) -> bool:
    """A web URL path segment that looks like a key: long, or long-ish and mixing letters/digits."""
    if len(segment) >= 24:
        return True
    has_alpha = any(c.isalpha() for c in segment)
    has_digit = any(c.isdigit() for c in segment)
    return len(segment) >= 16 and has_alpha and has_digit


def _redact_netloc(netloc: str, *, web: bool) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        if not web and len(user) > 8:  # e.g. pover://USERKEY@TOKEN: the "user" is a key
            user = MASK
        userinfo = f"{user}:{MASK}" if colon else user
    if hostport.startswith("["):  # an IPv6 literal, with or without a port
        host, colon, port = hostport, "", ""
    else:
        host, colon, port = hostport.partition(":")
    if colon and not port.isdigit():  # not a port: tgram://BOTID:TOKEN
        port = MASK
    if not web and host and not _HOSTNAME.match(host):
        host = MASK
    return f"{userinfo}{at}{host}{colon}{port}"


def _redact_query(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        pairs.append(f"{key}={MASK}" if eq and value and _SECRET_KEY.search(key) else pair)
    return "&".join(pairs)


def redact_url(url: str) -> str:
    """``url`` with passwords, secret query values and token-like path parts replaced by ``***``.

    - any URL: the password in ``user:password@``, and query values whose key mentions token,
      key, secret, pass(word), auth, sig or credential;
    - web-like schemes (http(s), mailto, json, xml, form): path segments that look like keys
      (24+ characters, or 16+ mixing letters and digits);
    - every other scheme (slack, discord, tgram, ...): the host unless it looks like a host name,
      a user name longer than 8 characters, a "port" that is not a number, and every path
      segment.
    A string that is not ``scheme://...`` is masked whole.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return MASK if url else url
    web = scheme.lower() in _WEB_SCHEMES
    rest, hash_, fragment = rest.partition("#")
    rest, qmark, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    segments = path.split("/") if slash else []
    masked = [MASK if seg and (not web or _token_like(seg)) else seg for seg in segments]
    out = f"{scheme}://{_redact_netloc(netloc, web=web)}"
    if slash:
        out += "/" + "/".join(masked)
    if qmark:
        out += "?" + _redact_query(query)
    if hash_:
        out += "#" + fragment
    return out
