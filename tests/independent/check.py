#!/usr/bin/python3
"""An independent checker of an IoT Seal portal (issue 17): none of the project's code.

Run against a running portal with its demo data:

    /usr/bin/python3 tests/independent/check.py http://localhost:3000

It uses only the Python standard library, PyJWT, cryptography and pyld (Debian packages
python3-jwt, python3-cryptography, python3-pyld), and the qpdf and pdfdetach commands (Debian
qpdf, poppler-utils). The RFC 9162 Merkle proofs, C2SP signed notes, checkpoints, tlog-tiles and
tlog-proof are written here from the specifications. Seals are found through the public
transparency log: every "issued" entry names one.

Prints one line per check, "PASS <name> <detail>" or "FAIL <name> <detail>", and exits 1 if
any check failed (2 on bad usage).

What it does not assert: that a seal's status bits agree with the status the API reports,
unless the API reports the same status before and after the lists were fetched (end-to-end
tests suspend and reinstate seals while this runs).
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld

# The SHA-256 of the seal's JSON-LD context as the README documents it (decision record 017).
SEAL_CONTEXT_SHA256 = "083424273d0ff7d1ed31450694d3cd29634dd7ea93b31197fdaccab604c34885"
SEAL_CONTEXT_PATH = "/contexts/seal/v1.jsonld"
SEAL_VOCAB = "https://w3id.org/iotseal/v1#"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
# The W3C VC 2.0 context, a local copy (as the npm package @digitalbazaar/credentials-context ships it).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_V2_FILE = os.path.join(ROOT, "node_modules", "@digitalbazaar", "credentials-context", "contexts", "v2.jsonld")
SUBJECT_TERMS = [
    "serial",
    "product",
    "firmwareVersion",
    "checklist",
    "level",
    "results",
    "evidenceMerkleRoot",
    "supportPeriodEnd",
]
JWS_COMPACT = re.compile(rb"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

failures = 0


def report(ok, name, detail=""):
    global failures
    if not ok:
        failures += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{' ' + detail if detail else ''}", flush=True)
    return ok


def check(name):
    """Runs a check function; an exception is a FAIL with its message (never a crash of the run)."""

    def wrap(fn):
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - every error is a failed check
                label = name(*args) if callable(name) else name
                report(False, label, f"{type(e).__name__}: {e}")
                return None

        return run

    return wrap


class Http:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def get(self, path_or_url, accept=None):
        """(status, headers as a lower-case dict, body bytes); a 429 is waited out and retried."""
        url = path_or_url if re.match(r"^https?://", path_or_url) else self.base + path_or_url
        for attempt in range(8):
            req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
            except urllib.error.HTTPError as e:
                headers = {k.lower(): v for k, v in e.headers.items()}
                if e.code == 429 and attempt < 7:
                    time.sleep(min(float(headers.get("retry-after", "2") or 2), 30))
                    continue
                return e.code, headers, e.read()
        raise RuntimeError(f"{url}: still rate limited")

    def ok(self, path, what, accept=None):
        status, headers, body = self.get(path, accept)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} ({what}): {body[:200]!r}")
        return headers, body


# ---------------------------------------------------------------------------------------------
# RFC 9162 (RFC 6962 hashing): leaf and node hashes, inclusion and consistency proofs, MTH.


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 section 2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:  # a power of two: the old root is the first node
        proof = [first_root] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def mth(hashes):
    """RFC 9162 section 2.1.1 Merkle Tree Hash over leaf hashes (empty tree: SHA-256 of nothing)."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


# ---------------------------------------------------------------------------------------------
# C2SP signed-note and tlog-checkpoint.


def note_key_id(name, public_key):
    """signed-note: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || Ed25519 public key)."""
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public_key).digest()[:4]


def parse_verifier_key(line):
    """A note verifier key "<name>+<hex key id>+<base64(0x01 || key)>": (name, public key)."""
    name, key_id, data = line.split("+", 2)  # a name has no "+"; the base64 key may
    raw = base64.b64decode(data, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError(f"not an Ed25519 verifier key: {line}")
    if bytes.fromhex(key_id) != note_key_id(name, raw[1:]):
        raise ValueError(f"the key id of {line} is not the hash of its name and key")
    return name, raw[1:]


def verify_checkpoint(note, keys):
    """Checks a checkpoint note signed by one of keys [(name, public key)]: (origin, size, root)."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise ValueError("a note is a body, a blank line and signature lines, ending in a newline")
    body, sigs = note.split("\n\n", 1)
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise ValueError("a checkpoint body has an origin, a size and a root hash")
    origin, size_text, root_b64 = lines[0], lines[1], lines[2]
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise ValueError(f"bad tree size {size_text!r}")
    root = base64.b64decode(root_b64, validate=True)
    if len(root) != 32:
        raise ValueError("the root hash is not 32 bytes")
    verified = False
    for line in sigs.split("\n")[:-1]:
        m = re.fullmatch(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)", line)
        if not m:
            raise ValueError(f"bad signature line {line!r}")
        sig = base64.b64decode(m.group(2), validate=True)
        for name, pub in keys:
            if m.group(1) == name == origin and sig[:4] == note_key_id(name, pub) and len(sig) == 68:
                try:
                    Ed25519PublicKey.from_public_bytes(pub).verify(sig[4:], body.encode())
                    verified = True
                except InvalidSignature:
                    raise ValueError(f"the signature by {name} does not verify")
    if not verified:
        raise ValueError(f"no signature by the log's key for origin {origin}")
    return origin, int(size_text), root


# ---------------------------------------------------------------------------------------------
# JSON-LD.


def make_loader(v2_context, seal_context_url, seal_context):
    def loader(url, options=None):
        if url == VC_V2:
            return {"contextUrl": None, "documentUrl": url, "document": v2_context}
        if url == seal_context_url and seal_context is not None:
            return {"contextUrl": None, "documentUrl": url, "document": seal_context}
        raise ValueError(f"the document loader serves only local contexts, not {url}")

    return loader


def normalized(value):
    """Without nulls (absent in JSON-LD) and with one-element arrays as their element (as compaction writes them)."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        items = [normalized(v) for v in value]
        return items[0] if len(items) == 1 else items
    return value


def absolute_iri(s):
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", s)) and not s.startswith("_:")


def expanded_problems(node, path="$"):
    """Relative IRIs anywhere in an expanded document (what safe mode refuses besides dropped terms)."""
    problems = []
    if isinstance(node, list):
        for i, n in enumerate(node):
            problems += expanded_problems(n, f"{path}[{i}]")
    elif isinstance(node, dict):
        for k, v in node.items():
            if k == "@id" and isinstance(v, str) and not absolute_iri(v):
                problems.append(f"{path}: relative @id {v!r}")
            elif k == "@type" and k in node and "@value" not in node:
                for t in v if isinstance(v, list) else [v]:
                    if not absolute_iri(t):
                        problems.append(f"{path}: relative @type {t!r}")
            elif not k.startswith("@") and not absolute_iri(k):
                problems.append(f"{path}: property {k!r} is not an absolute IRI")
            if k != "@value":
                problems += expanded_problems(v, f"{path}.{k}")
    return problems


def safe_expand(doc, loader):
    """
    JSON-LD expansion in "safe mode". pyld 2.0.3 has no safe mode (jsonld.js's `safe: true`), so it
    is emulated: expand with no base IRI, refuse any relative IRI in the result, then compact the
    result with the document's own context and require the round trip to give back the document
    (less its nulls, which JSON-LD defines as absent, one-element arrays taken as their element):
    a term no context defines is dropped by expansion and so missing from the round trip.
    """
    options = {"documentLoader": loader, "base": None}
    expanded = jsonld.expand(doc, options)
    problems = expanded_problems(expanded)
    if problems:
        raise ValueError("; ".join(problems[:5]))
    compacted = jsonld.compact(expanded, {"@context": doc["@context"]}, {"documentLoader": loader, "base": None})
    original = normalized({k: v for k, v in doc.items() if k != "@context"})
    compacted = normalized({k: v for k, v in compacted.items() if k != "@context"})
    if compacted != original:
        dropped = sorted(set(flat_keys(original)) - set(flat_keys(compacted)))
        raise ValueError(f"the compact round trip differs; dropped: {dropped or 'values changed'}")
    return expanded


def flat_keys(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{prefix}{k}"
            yield from flat_keys(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for v in value:
            yield from flat_keys(v, prefix)


def property_iris(node, into=None):
    into = set() if into is None else into
    if isinstance(node, list):
        for n in node:
            property_iris(n, into)
    elif isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("@"):
                into.add(k)
            property_iris(v, into)
    return into


# ---------------------------------------------------------------------------------------------
# Helpers.


def b64url_json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def is_url(s, web=False):
    if not isinstance(s, str):
        return False
    u = urllib.parse.urlparse(s)
    if web:
        return u.scheme in ("http", "https") and bool(u.netloc)
    return bool(u.scheme) and (bool(u.netloc) or (u.scheme == "urn" and bool(u.path)))


def parse_time(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def verify_jws(token, jwks_keys, what):
    """A compact JWS signed with Ed25519 (alg EdDSA or Ed25519, typ vc+jwt) by a key of the JWKS: its payload."""
    header = jwt.get_unverified_header(token)
    if header.get("alg") not in ("EdDSA", "Ed25519"):
        raise ValueError(f"{what}: alg {header.get('alg')!r} is not Ed25519")
    if header.get("typ") != "vc+jwt":
        raise ValueError(f"{what}: typ {header.get('typ')!r} is not vc+jwt")
    jwk = next((k for k in jwks_keys if k.get("kid") == header.get("kid")), None)
    if jwk is None:
        raise ValueError(f"{what}: kid {header.get('kid')!r} is not in the JWKS")
    if header["alg"] == "EdDSA":
        key = jwt.PyJWK.from_dict({**jwk, "alg": "EdDSA"}).key
        decoded = jwt.api_jws.PyJWS().decode_complete(token, key=key, algorithms=["EdDSA"])
        payload = decoded["payload"]
    else:  # RFC 9864's fully specified name: the same Ed25519 signature, checked with cryptography
        h, p, s = token.split(".")
        pub = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
        Ed25519PublicKey.from_public_bytes(pub).verify(
            base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), f"{h}.{p}".encode()
        )
        payload = base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))
    return json.loads(payload), header


def decode_bitstring(encoded):
    """Bitstring Status List v1.0: multibase base64url ('u', no padding) of the GZIP of the bits."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url ('u')")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_at(bits, index):
    """Bit `index`, counted from the left of the first byte (the spec's order)."""
    return (bits[index // 8] >> (7 - index % 8)) & 1


def tile_path(n):
    """C2SP tlog-tiles: the index in zero-padded 3-digit elements, all but the last with an x."""
    parts = []
    while True:
        parts.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    parts.reverse()
    return "/".join([f"x{p}" for p in parts[:-1]] + [parts[-1]])


# ---------------------------------------------------------------------------------------------
# The checks.


class Checker:
    def __init__(self, base, v2_file):
        self.http = Http(base)
        self.base = base.rstrip("/")
        with open(v2_file, "rb") as f:
            self.v2 = json.load(f)
        self.jwks = []
        self.log_keys = []
        self.checkpoint = None  # (note, origin, size, root)
        self.leaves = {}  # index -> entry bytes
        self.issued = {}  # serial -> (leaf index, credential sha256)
        self.seal_context = None
        self.seal_context_url = self.base + SEAL_CONTEXT_PATH
        self.proof_sizes = set()
        self.roots = {}  # tree size -> root, from verified checkpoints
        self.lists_expanded = set()

    @check("keys")
    def keys(self):
        headers, body = self.http.ok("/.well-known/jwks.json", "JWKS")
        self.jwks = json.loads(body)["keys"]
        ed = [k for k in self.jwks if k.get("kty") == "OKP" and k.get("crv") == "Ed25519" and k.get("kid")]
        report(bool(ed) and len(ed) == len(self.jwks), "keys jwks", f"{len(ed)} Ed25519 key(s) with kid")
        report(headers.get("access-control-allow-origin") == "*", "keys jwks-cors")
        # RFC 7638: each kid is the key's JWK thumbprint (SHA-256 of the required members, sorted, no spaces).
        thumbs = [
            base64.urlsafe_b64encode(
                hashlib.sha256(json.dumps({"crv": k["crv"], "kty": k["kty"], "x": k["x"]}, separators=(",", ":")).encode()).digest()
            ).rstrip(b"=").decode()
            for k in ed
        ]
        report(thumbs == [k["kid"] for k in ed], "keys kid-thumbprint", "every kid is its key's RFC 7638 thumbprint")
        _, body = self.http.ok("/.well-known/jwt-vc-issuer", "issuer metadata")
        meta = json.loads(body)
        report(meta.get("issuer") == self.base, "keys issuer", f"issuer {meta.get('issuer')}")
        _, via = self.http.ok(meta["jwks_uri"], "jwks_uri")
        report(json.loads(via)["keys"] == self.jwks, "keys jwks_uri", meta["jwks_uri"])

    @check("seal-context")
    def context(self):
        headers, body = self.http.ok(SEAL_CONTEXT_PATH, "seal context")
        digest = hashlib.sha256(body).hexdigest()
        report(digest == SEAL_CONTEXT_SHA256, "seal-context sha256", digest)
        report(headers.get("content-type", "").split(";")[0] == "application/ld+json", "seal-context type",
               headers.get("content-type", ""))
        report(headers.get("access-control-allow-origin") == "*", "seal-context cors")
        cc = headers.get("cache-control", "")
        report("immutable" in cc and "public" in cc, "seal-context caching", cc)
        self.seal_context = json.loads(body)
        ctx = self.seal_context["@context"]
        report(ctx.get("@protected") is True and SEAL_VOCAB + "IoTSecuritySeal" == ctx.get("IoTSecuritySeal"),
               "seal-context protected-and-type")

    @check("log keys")
    def log_verifier_keys(self):
        headers, body = self.http.ok("/log/keys", "note verifier keys")
        self.log_keys = [parse_verifier_key(line) for line in body.decode().split("\n") if line]
        xs = {base64.urlsafe_b64decode(k["x"] + "=" * (-len(k["x"]) % 4)) for k in self.jwks}
        report(bool(self.log_keys) and all(pub in xs for _, pub in self.log_keys), "log keys",
               f"{len(self.log_keys)} verifier key(s), key ids match, each in the JWKS")

    @check("log checkpoint")
    def latest_checkpoint(self, label="log checkpoint"):
        _, body = self.http.ok("/log/checkpoint", "checkpoint")
        note = body.decode()
        origin, size, root = verify_checkpoint(note, self.log_keys)
        expected = urllib.parse.urlparse(self.base)
        report(origin == f"{expected.netloc}{expected.path.rstrip('/')}/log", label,
               f"origin {origin}, size {size}, signed")
        self.roots[size] = root
        return note, origin, size, root

    @check("log leaves")
    def log_leaves(self):
        note, origin, size, root = self.checkpoint
        bad = []
        for i in range(size):
            _, body = self.http.ok(f"/log/proof/{i}?treeSize={size}", f"proof of leaf {i}")
            p = json.loads(body)
            entry = p["leaf"].encode()
            path = [base64.b64decode(h, validate=True) for h in p["inclusionProof"]]
            _, _, proof_root = verify_checkpoint(p["checkpoint"], self.log_keys)
            if p["leafIndex"] != i or p["treeSize"] != size or proof_root != root:
                bad.append(f"{i}: answer not for leaf {i} in the checkpoint of size {size}")
            elif not verify_inclusion(i, size, leaf_hash(entry), path, root):
                bad.append(f"{i}: inclusion proof does not reach the root")
            self.leaves[i] = entry
            e = json.loads(entry)
            if e.get("event") == "issued" and isinstance(e.get("serial"), str):
                self.issued[e["serial"]] = (i, e.get("credentialSha256"))
        report(not bad, "log inclusion-proofs",
               f"all {size} leaves verified against the checkpoint (RFC 9162 2.1.3.2)" if not bad else "; ".join(bad[:5]))
        report(bool(self.issued), "log seals", f"{len(self.issued)} issued seal(s) in the log")

    @check("log tiles")
    def tiles(self):
        note, origin, size, root = self.checkpoint
        levels = []  # per level, the hashes the tiles hold
        level = 0
        while size // 256**level > 0:
            count = size // 256**level  # hashes at this level of tiles
            hashes = b""
            full, width = count // 256, count % 256
            for n in range(full + (1 if width else 0)):
                path = f"/log/tile/{level}/{tile_path(n)}" + (f".p/{width}" if n == full else "")
                status, headers, body = self.http.get(path)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")
                want = 8192 if n < full else 32 * width
                if len(body) != want:
                    raise ValueError(f"{path} has {len(body)} bytes, not {want}")
                hashes += body
            levels.append([hashes[i : i + 32] for i in range(0, len(hashes), 32)])
            level += 1
        leaves = levels[0]
        mismatched = [i for i, h in enumerate(leaves) if i in self.leaves and h != leaf_hash(self.leaves[i])]
        report(not mismatched, "log tiles leaves",
               f"{len(leaves)} level-0 hashes equal the leaves' hashes" if not mismatched else f"differ at {mismatched[:5]}")
        for lv in range(1, len(levels)):
            for i, h in enumerate(levels[lv]):
                below = leaves[i * 256**lv : (i + 1) * 256**lv]
                if mth(below) != h:
                    raise ValueError(f"level {lv} hash {i} is not the MTH of the full tile below")
        rebuilt = mth(leaves)
        report(rebuilt == root, "log tiles root",
               f"tiles of {len(levels)} level(s) rebuild the checkpoint's root for size {size}")
        # Entry bundles: each entry hashes to its level-0 tile hash.
        entries = []
        full, width = size // 256, size % 256
        for n in range(full + (1 if width else 0)):
            path = f"/log/tile/entries/{tile_path(n)}" + (f".p/{width}" if n == full else "")
            status, _, body = self.http.get(path)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            i = 0
            while i < len(body):
                length = int.from_bytes(body[i : i + 2], "big")
                entries.append(body[i + 2 : i + 2 + length])
                i += 2 + length
        report(len(entries) == size and all(leaf_hash(e) == leaves[i] for i, e in enumerate(entries)),
               "log tiles entries", f"{len(entries)} entries hash to the level-0 tiles")

    @check(lambda self, a, b: f"log consistency {a}->{b}")
    def consistency(self, a, b):
        _, body = self.http.ok(f"/log/consistency?from={a}&to={b}", "consistency proof")
        p = json.loads(body)
        _, to_size, to_root = verify_checkpoint(p["toCheckpoint"], self.log_keys)
        from_root = hashlib.sha256(b"").digest()
        if a > 0:
            _, from_size, from_root = verify_checkpoint(p["fromCheckpoint"], self.log_keys)
            if from_size != a:
                raise ValueError(f"fromCheckpoint is for size {from_size}")
        if to_size != b or (b in self.roots and self.roots[b] != to_root) or (a in self.roots and self.roots[a] != from_root):
            raise ValueError("the checkpoints in the answer are not the ones seen before")
        proof = [base64.b64decode(h, validate=True) for h in p["proof"]]
        report(verify_consistency(a, b, from_root, to_root, proof), f"log consistency {a}->{b}",
               f"{len(proof)} hash(es), RFC 9162 2.1.4.2")

    def seal(self, serial):
        jws = self.credential(serial)
        if jws is None:
            return
        cred = self.signature(serial, jws)
        if cred is None:
            return
        self.ids(serial, cred)
        self.json_ld(serial, cred)
        self.status(serial, cred)
        self.pdf(serial, jws)

    @check(lambda self, serial: f"credential {serial}")
    def credential(self, serial):
        headers, body = self.http.ok(f"/s/{serial}/credential", "credential")
        ok = JWS_COMPACT.match(body) is not None
        report(ok, f"credential {serial} bytes", f"{len(body)} bytes, a bare compact JWS (no trailing newline)")
        report(headers.get("content-type") == "application/vc+jwt" and headers.get("access-control-allow-origin") == "*",
               f"credential {serial} headers", headers.get("content-type", ""))
        index, sha = self.issued[serial]
        report(hashlib.sha256(body).hexdigest() == sha, f"credential {serial} log-leaf",
               f"its SHA-256 is the one in log leaf {index}")
        return body.decode("ascii") if ok else None

    @check(lambda self, serial, jws: f"credential {serial} signature")
    def signature(self, serial, jws):
        cred, header = verify_jws(jws, self.jwks, "credential")
        types = cred.get("type", [])
        ok = "VerifiableCredential" in types and "IoTSecuritySeal" in types and cred["credentialSubject"]["serial"] == serial
        report(ok, f"credential {serial} signature", f"PyJWT {header['alg']} kid {header['kid'][:12]}…, typ vc+jwt")
        return cred

    @check(lambda self, serial, cred: f"credential {serial} ids")
    def ids(self, serial, cred):
        subject = cred["credentialSubject"]
        ids = {
            "id": cred.get("id"),
            "issuer.id": cred.get("issuer", {}).get("id"),
            "credentialSubject.id": subject.get("id"),
        }
        for i, s in enumerate(cred.get("credentialStatus", [])):
            ids[f"credentialStatus[{i}].id"] = s.get("id")
            ids[f"credentialStatus[{i}].statusListCredential"] = s.get("statusListCredential")
        bad = [k for k, v in ids.items() if not is_url(v)]
        checklist = subject.get("checklist", {}).get("id")
        if not is_url(checklist, web=True):
            bad.append(f"credentialSubject.checklist.id ({checklist!r})")
        if cred.get("issuer", {}).get("id") != self.base:
            bad.append("issuer.id is not the portal")
        report(not bad, f"credential {serial} ids",
               f"{len(ids) + 1} ids are URLs; checklist {checklist}" if not bad else f"not URLs: {', '.join(bad)}")

    @check(lambda self, serial, cred: f"credential {serial} json-ld")
    def json_ld(self, serial, cred):
        ctx = cred.get("@context")
        if ctx != [VC_V2, self.seal_context_url]:
            raise ValueError(f"@context is {ctx}, not the v2 context then {self.seal_context_url}")
        expanded = safe_expand(cred, make_loader(self.v2, self.seal_context_url, self.seal_context))
        node = expanded[0]
        iris = property_iris(node)
        missing = [t for t in SUBJECT_TERMS if SEAL_VOCAB + t not in iris]
        if SEAL_VOCAB + "IoTSecuritySeal" not in node.get("@type", []):
            missing.append("type IoTSecuritySeal")
        report(not missing, f"credential {serial} json-ld",
               "safe-mode expansion (emulated, pyld 2.0.3) keeps every term" if not missing else f"missing {missing}")

    def api_status(self, serial):
        status, _, body = self.http.get(f"/api/v1/seals/{serial}")
        return json.loads(body).get("status") if status == 200 else f"http {status}"

    @check(lambda self, serial, cred: f"status {serial}")
    def status(self, serial, cred):
        before = self.api_status(serial)
        bits = {}
        for entry in cred["credentialStatus"]:
            purpose = entry["statusPurpose"]
            headers, body = self.http.ok(entry["statusListCredential"], "status list")
            fetched = datetime.now(timezone.utc)
            token = body.decode("ascii")
            lst, _ = verify_jws(token, self.jwks, f"{purpose} list")
            subject = lst["credentialSubject"]
            ok = (
                "BitstringStatusListCredential" in lst.get("type", [])
                and subject.get("type") == "BitstringStatusList"
                and subject.get("statusPurpose") == purpose
                and lst.get("id") == entry["statusListCredential"]
            )
            until = parse_time(lst["validUntil"])
            left = (until - fetched).total_seconds()
            cc = headers.get("cache-control", "")
            ages = {k: int(v) for k, v in re.findall(r"(max-age|s-maxage|stale-if-error)=(\d+)", cc)}
            shared = ages.get("s-maxage", ages.get("max-age", 0))
            within = ages.get("max-age", 0) <= left + 2 and shared + ages.get("stale-if-error", 0) <= left + 2
            raw = decode_bitstring(subject["encodedList"])
            index = int(entry["statusListIndex"])
            report(ok and left > 0 and within and len(raw) * 8 >= 131072 and index < len(raw) * 8,
                   f"status {serial} {purpose}-list",
                   f"signed, {len(raw) * 8} bits, valid {int(left)} s more, Cache-Control '{cc}' within it")
            bits[purpose] = bit_at(raw, index)
            if lst["id"] not in self.lists_expanded:
                self.lists_expanded.add(lst["id"])
                expanded = safe_expand(lst, make_loader(self.v2, self.seal_context_url, self.seal_context))
                iris = property_iris(expanded)
                report(STATUS + "encodedList" in iris and STATUS + "statusPurpose" in iris,
                       f"status-list {purpose} json-ld", "safe-mode expansion (emulated) keeps every term")
        after = self.api_status(serial)
        if before != after:
            report(True, f"status {serial} bits", f"not compared: the API said {before}, then {after}")
            return
        expect = {"valid": (0, 0), "revoked": (1, None), "suspended": (0, 1)}.get(before)
        got = (bits.get("revocation"), bits.get("suspension"))
        if expect is None:
            report(True, f"status {serial} bits", f"API says {before} (the lists alone do not say it); bits {got}")
        else:
            ok = all(e is None or e == g for e, g in zip(expect, got))
            report(ok, f"status {serial} bits", f"API says {before}; revocation bit {got[0]}, suspension bit {got[1]}")

    @check(lambda self, serial, jws: f"pdf {serial}")
    def pdf(self, serial, jws):
        headers, body = self.http.ok(f"/s/{serial}/seal.pdf", "seal PDF")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "seal.pdf")
            with open(path, "wb") as f:
                f.write(body)
            q = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
            said = [line for line in (q.stdout + q.stderr).splitlines() if "error" in line.lower()]
            report(q.returncode == 0, f"pdf {serial} qpdf-check", said[0] if said else f"exit {q.returncode}")
            listing = subprocess.run(["pdfdetach", "-list", path], capture_output=True, text=True, check=True).stdout
            out = os.path.join(tmp, "attached")
            os.mkdir(out)
            subprocess.run(["pdfdetach", "-saveall", "-o", out, path], capture_output=True, check=True)
            names = sorted(os.listdir(out))
            with open(os.path.join(out, "seal.vc.jwt"), "rb") as f:
                attached = f.read()
            report(attached == jws.encode("ascii"), f"pdf {serial} credential",
                   f"seal.vc.jwt is byte-identical to the download; attachments {names}")
            if "seal.tlog-proof" in names:
                with open(os.path.join(out, "seal.tlog-proof"), "rb") as f:
                    self.tlog_proof(serial, jws, f.read())
            elif "seal.tlog-proof.json" in names:
                with open(os.path.join(out, "seal.tlog-proof.json"), "rb") as f:
                    p = json.load(f)
                self.check_log_proof(serial, jws, p["leaf"].encode(), p["leafIndex"],
                                     [base64.b64decode(h) for h in p["inclusionProof"]], p["checkpoint"],
                                     "seal.tlog-proof.json (before tlog-proof@v1)")
            else:
                report(False, f"pdf {serial} log-proof", f"no log proof attached: {listing.strip()}")

    def tlog_proof(self, serial, jws, data):
        """C2SP tlog-proof@v1: header, optional `extra <b64>`, `index N`, hashes, blank line, checkpoint."""
        text = data.decode("utf-8")
        head, sep, checkpoint = text.partition("\n\n")
        if not sep:
            raise ValueError("no blank line before the checkpoint")
        lines = head.split("\n")
        if lines[0] != "c2sp.org/tlog-proof@v1":
            raise ValueError(f"first line {lines[0]!r}")
        i = 1
        extra = None
        if lines[i].startswith("extra "):
            extra = base64.b64decode(lines[i][6:], validate=True)
            i += 1
        m = re.fullmatch(r"index (0|[1-9][0-9]*)", lines[i])
        if not m:
            raise ValueError(f"bad index line {lines[i]!r}")
        hashes = [base64.b64decode(h, validate=True) for h in lines[i + 1 :]]
        if any(len(h) != 32 for h in hashes):
            raise ValueError("a proof hash is not 32 bytes")
        if extra is None:
            raise ValueError("no extra line: the log entry is needed to recompute the leaf hash")
        self.check_log_proof(serial, jws, extra, int(m.group(1)), hashes, checkpoint, "seal.tlog-proof (tlog-proof@v1)")

    def check_log_proof(self, serial, jws, entry_bytes, index, hashes, checkpoint, what):
        origin, size, root = verify_checkpoint(checkpoint, self.log_keys)
        entry = json.loads(entry_bytes)
        ok_entry = (
            entry.get("event") == "issued"
            and entry.get("serial") == serial
            and entry.get("credentialSha256") == hashlib.sha256(jws.encode("ascii")).hexdigest()
            and self.issued.get(serial, (None,))[0] == index
        )
        ok = ok_entry and verify_inclusion(index, size, leaf_hash(entry_bytes), hashes, root)
        report(ok, f"pdf {serial} log-proof",
               f"{what}: issue entry of this credential, leaf {index} in the signed tree of {size}")
        self.roots.setdefault(size, root)
        if root != self.roots[size]:
            report(False, f"pdf {serial} log-proof-root", f"a different root for tree size {size}: a split view")
        self.proof_sizes.add(size)

    def run(self, serials):
        self.keys()
        self.context()
        self.log_verifier_keys()
        self.checkpoint = self.latest_checkpoint()
        if self.checkpoint is None:
            return
        self.log_leaves()
        self.tiles()
        for serial in serials or sorted(self.issued):
            if serial not in self.issued:
                report(False, f"seal {serial}", "no issue entry in the log")
                continue
            self.seal(serial)
        size = self.checkpoint[2]
        for s in sorted(self.proof_sizes):
            if s <= size:
                self.consistency(s, size)
        later = self.latest_checkpoint("log checkpoint later")
        if later:
            self.consistency(size, later[2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the portal, e.g. http://localhost:3000 (its PUBLIC_URL)")
    parser.add_argument("--serial", action="append", default=[], help="check only this seal (repeatable)")
    parser.add_argument("--v2-context", default=DEFAULT_V2_FILE, help="a local copy of the W3C VC v2 context")
    args = parser.parse_args()
    if not os.path.exists(args.v2_context):
        print(f"FAIL setup no local W3C v2 context at {args.v2_context} (npm install, or --v2-context)")
        return 2
    Checker(args.base_url, args.v2_context).run(args.serial)
    print(f"{'FAIL' if failures else 'PASS'} summary {failures} check(s) failed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
