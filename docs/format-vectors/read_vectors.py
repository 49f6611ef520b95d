#!/usr/bin/env python3
"""An independent reader of Dropzone's object format, written from docs/FORMAT.md alone.

It shares no code with Dropzone and does not use Tink: HKDF, HMAC and AES-GCM come from the
'cryptography' package (Debian: python3-cryptography). Given a directory of test vectors it checks,
for every object, the identity tag (dz-mac), that the body starts with the header dz-hdr names,
every segment of the body, the plaintext's SHA-256 and the sealed digest; and the MAC of every key
record. It prints one line per check and exits 0 only if all pass.

usage: read_vectors.py VECTORS_DIR
"""

import base64
import hashlib
import hmac
import json
import pathlib
import struct
import sys
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEGMENT = 1 << 20
HEADER = 40
TAG = 16
BODY_AAD = b"dropzone/v1"


def hkdf(key, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def lp(data):
    """u32 big-endian length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def u64(value):
    return struct.pack(">Q", value)


def identity_tag(key, domain, path, header, epoch, mtime):
    k_id = hkdf(key, None, b"dropzone/v2 object identity")
    message = (b"dropzone/v2" + lp(domain.encode()) + lp(path.encode()) + lp(header)
               + u64(epoch) + u64(mtime))
    return hmac.new(k_id, message, hashlib.sha256).digest()


def record_tag(key, user, domain, epoch, created_ms):
    k_rec = hkdf(key, None, b"dropzone/v2 key record")
    message = lp(user.encode()) + lp(domain.encode()) + u64(epoch) + u64(created_ms)
    return hmac.new(k_rec, message, hashlib.sha256).digest()


def decrypt_body(key, body):
    """Tink AES256_GCM_HKDF_1MB: a 40-byte header, then 1 MiB segments (the first one shorter by
    the header), each sealed with AES-256-GCM under a key derived from the header's salt."""
    if len(body) < HEADER + TAG or body[0] != HEADER:
        raise ValueError("not a ciphertext: too short or wrong header length byte")
    salt, nonce_prefix = body[1:33], body[33:40]
    aes = AESGCM(hkdf(key, salt, BODY_AAD))
    segments = []
    start, size = HEADER, SEGMENT - HEADER
    while start < len(body):
        segments.append(body[start:start + size])
        start, size = start + size, SEGMENT
    plaintext = bytearray()
    for index, segment in enumerate(segments):
        last = 1 if index == len(segments) - 1 else 0
        nonce = nonce_prefix + struct.pack(">I", index) + bytes([last])
        plaintext += aes.decrypt(nonce, segment, None)
    return bytes(plaintext)


def open_digest(key, header, sealed):
    k_dig = hkdf(key, header[1:33], b"dropzone/v2 digest")
    return AESGCM(k_dig).decrypt(sealed[:12], sealed[12:], b"dropzone/v2 digest")


def segments(body):
    return max(1, -(-len(body) // SEGMENT))


def check_plaintext(name, vector, plaintext):
    digest = hashlib.sha256(plaintext).digest()
    if len(plaintext) != vector["plaintextSize"] or digest.hex() != vector["plaintextSha256"]:
        raise ValueError(name + ": plaintext differs from the expected size or SHA-256")
    return digest


def check_object(key, directory, vector):
    meta = vector["metadata"]
    name = vector["name"]
    if meta["dz-alg"] != "AES256_GCM_HKDF_1MB":
        raise ValueError(name + ": not AES256_GCM_HKDF_1MB")
    if meta["dz-format"] == "1":
        # Format 1 binds nothing but the key to its user: there is only the body to check.
        body = (directory / vector["body"]).read_bytes()
        plaintext = decrypt_body(key, body)
        check_plaintext(name, vector, plaintext)
        return "%s: format 1, %d segment(s), %d plaintext bytes OK" % (
            name, segments(body), len(plaintext))
    if meta["dz-format"] != "2":
        raise ValueError(name + ": unknown format " + meta["dz-format"])
    header = base64.b64decode(meta["dz-hdr"])
    expected_tag = identity_tag(key, vector["domain"], vector["path"], header,
                                int(meta["dz-epoch"]), int(meta["dz-mtime"]))
    if not hmac.compare_digest(expected_tag, base64.b64decode(meta["dz-mac"])):
        raise ValueError(name + ": identity tag does not verify")
    body = (directory / vector["body"]).read_bytes()
    if body[:HEADER] != header:
        raise ValueError(name + ": body does not start with dz-hdr")
    plaintext = decrypt_body(key, body)
    digest = check_plaintext(name, vector, plaintext)
    sealed = None
    if "dz-digest" in meta:
        sealed = base64.b64decode(meta["dz-digest"])
    elif "digestRecord" in vector:
        sealed = base64.b64decode((directory / vector["digestRecord"]).read_text().strip())
    if sealed is not None and open_digest(key, header, sealed) != digest:
        raise ValueError(name + ": sealed digest differs from the plaintext's SHA-256")
    return "%s: tag, header, %d segment(s), %d plaintext bytes%s OK" % (
        name, segments(body), len(plaintext), ", digest" if sealed is not None else "")


def check_record(key, directory, vector):
    record = json.loads((directory / vector["file"]).read_text())
    if record["version"] != 2:
        raise ValueError(vector["file"] + ": not a version 2 key record")
    created = datetime.fromisoformat(record["created"].replace("Z", "+00:00"))
    created_ms = round(created.timestamp() * 1000)
    expected = record_tag(key, record["user"], record["domain"], record["epoch"], created_ms)
    if not hmac.compare_digest(expected, base64.b64decode(record["mac"])):
        raise ValueError(vector["file"] + ": key record MAC does not verify")
    return "%s: key record MAC OK" % vector["file"]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    directory = pathlib.Path(argv[1])
    vectors = json.loads((directory / "vectors.json").read_text())
    key = bytes.fromhex(vectors["dataKey"])
    failures = 0
    checks = [(check_object, v) for v in vectors["objects"]]
    checks += [(check_record, v) for v in vectors["records"]]
    for check, vector in checks:
        try:
            print(check(key, directory, vector))
        except Exception as e:  # every failure is reported, none stops the others
            failures += 1
            print("FAILED " + str(e))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
