"""Secrets at rest (token caches, private calendar links): AES-GCM with a key from the
environment (Secret Manager in the cloud).

`NUDGE_TOKEN_ENCRYPTION_KEY` holds one or more `key-id:base64-key` pairs separated by commas;
the first encrypts, all of them decrypt, so a key can rotate: add the new one first, re-seal
(or let the next write re-seal), then drop the old one. The key id is stored beside the
ciphertext; the associated data binds a ciphertext to its owner and purpose, so a sealed value
copied to another user's document does not open.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from pydantic import BaseModel

from nudge.settings import Settings

NONCE_BYTES = 12


class SealedValue(BaseModel):
    key_id: str
    nonce: str  # base64
    ciphertext: str  # base64, tag included


class SealError(RuntimeError):
    """No usable key, an unknown key id, or a ciphertext that does not open."""


@dataclass(frozen=True)
class Sealer:
    keys: dict[str, bytes]
    current: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        secret = settings.token_encryption_key
        raw = secret.get_secret_value() if secret else ""
        keys: dict[str, bytes] = {}
        current = ""
        for part in (p.strip() for p in raw.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id:
                raise SealError("NUDGE_TOKEN_ENCRYPTION_KEY: expected key-id:base64-key")
            key = base64.b64decode(encoded)
            if len(key) not in (16, 24, 32):
                raise SealError(f"key {key_id}: AES keys are 16, 24 or 32 bytes")
            keys[key_id] = key
            current = current or key_id
        if not keys:
            raise SealError("NUDGE_TOKEN_ENCRYPTION_KEY is not set")
        return cls(keys=keys, current=current)

    def seal(self, plaintext: bytes, *, context: str) -> SealedValue:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, context.encode())
        return SealedValue(
            key_id=self.current,
            nonce=base64.b64encode(nonce).decode(),
            ciphertext=base64.b64encode(ciphertext).decode(),
        )

    def open(self, sealed: SealedValue | dict, *, context: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        value = SealedValue.model_validate(sealed)
        key = self.keys.get(value.key_id)
        if key is None:
            raise SealError(f"unknown key id {value.key_id}")
        try:
            return AESGCM(key).decrypt(
                base64.b64decode(value.nonce), base64.b64decode(value.ciphertext), context.encode()
            )
        except InvalidTag as exc:
            raise SealError("ciphertext does not open with its key and context") from exc
