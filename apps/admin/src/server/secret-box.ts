/**
 * Connection secrets at rest: AES-256-GCM with a key from `MILEPOST_SECRET_KEY`, or one generated on
 * first run and stored beside the data with owner-only permissions.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Seals and opens secrets. */
export interface SecretBox {
  seal(value: unknown): string;
  open<T = unknown>(sealed: string): T;
}

const VERSION = 'v1';

/** A box over a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes (64 hex characters or 44 base64)');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        body.toString('base64'),
      ].join('.');
    },
    open<T>(sealed: string): T {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) {
        throw new Error('a stored secret is not in the expected format; re-enter the connection');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      try {
        const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
          'utf8',
        );
        return JSON.parse(text) as T;
      } catch {
        throw new Error(
          'a stored secret cannot be decrypted: MILEPOST_SECRET_KEY differs from the key it was sealed with',
        );
      }
    },
  };
}

/** Reads a key given as 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(
      'MILEPOST_SECRET_KEY must be 32 bytes as 64 hex characters or base64 (generate one with `openssl rand -hex 32`)',
    );
  }
  return key;
}

/**
 * The key from the environment, else from `file`, else a new one written to `file` readable by its
 * owner only. Refuses a key file others can read.
 */
export function loadOrCreateSecretKey(environmentKey: string | undefined, file: string): Buffer {
  if (environmentKey) return parseSecretKey(environmentKey);
  if (existsSync(file)) {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new Error(`${file} is readable by other users; run \`chmod 600 ${file}\``);
    }
    return parseSecretKey(readFileSync(file, 'utf8'));
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
