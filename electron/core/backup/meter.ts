/** A pass-through stream that counts and hashes what flows through it (SHA-256 of the stored bytes). */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }

  /** The SHA-256 (hex) once the stream has ended. */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}
