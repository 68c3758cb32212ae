/**
 * The encrypted part of a backup (the stack's generated secrets): AES-256-GCM under a key derived
 * with scrypt from the user's passphrase or key file and a random salt kept in the file. GCM's tag
 * makes a wrong passphrase and a damaged file fail the same way, before anything is restored.
 *
 * Layout: "HPBK1\n" | salt (16) | iv (12) | ciphertext | tag (16).
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { HomeportError } from '../errors';

const MAGIC = Buffer.from('HPBK1\n');
const SALT = 16;
const IV = 12;
const TAG = 16;
/** scrypt cost: 2^15 with r=8 takes ~32 MiB and a tenth of a second, once per backup or restore. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function deriveKey(material: Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(material, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function encryptSecrets(plain: Buffer, material: Buffer): Promise<Buffer> {
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(material, salt), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, body, cipher.getAuthTag()]);
}

/** The plain bytes; a HomeportError naming the likely cause when the key does not open them. */
export async function decryptSecrets(sealed: Buffer, material: Buffer, where: string): Promise<Buffer> {
  if (sealed.length < MAGIC.length + SALT + IV + TAG || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new HomeportError('INVALID_INPUT', `${where} is not an encrypted Homeport secrets file (damaged?)`);
  }
  const salt = sealed.subarray(MAGIC.length, MAGIC.length + SALT);
  const iv = sealed.subarray(MAGIC.length + SALT, MAGIC.length + SALT + IV);
  const body = sealed.subarray(MAGIC.length + SALT + IV, sealed.length - TAG);
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(material, salt), iv);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new HomeportError(
      'FORBIDDEN',
      `${where} does not open with the backup passphrase or key file set now: set the one this backup was made with`,
    );
  }
}
