/**
 * Reads a remote file over SFTP with several requests in flight, in order. ssh2's own read stream
 * asks for one block and waits for it before asking for the next, which limits a restore to one
 * block per round trip; here up to DEPTH blocks are on their way while the consumer reads, and no
 * more are asked for while the consumer is not reading.
 */
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

const BLOCK = 64 * 1024;
const DEPTH = 8;

interface Slot {
  buf: Buffer;
  done: boolean;
}

export class SftpFileReader extends Readable {
  private readonly slots: Slot[] = [];
  private next = 0;
  private wanted = false;
  private handleClosed = false;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    private readonly size: number,
    /** Names the file in errors. */
    private readonly what: string,
  ) {
    super({ highWaterMark: BLOCK * 2 });
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  private fill(slot: Slot, offset: number, position: number): void {
    this.sftp.read(this.handle, slot.buf, offset, slot.buf.length - offset, position, (err, bytesRead) => {
      if (this.destroyed) return;
      if (err) return void this.destroy(err);
      if (bytesRead === 0) return void this.destroy(new Error(`${this.what} became shorter while it was read`));
      if (offset + bytesRead < slot.buf.length) return this.fill(slot, offset + bytesRead, position + bytesRead);
      slot.done = true;
      this.pump();
    });
  }

  private pump(): void {
    while (this.slots[0]?.done) {
      const slot = this.slots.shift()!;
      if (!this.push(slot.buf)) this.wanted = false;
    }
    while (this.wanted && this.slots.length < DEPTH && this.next < this.size) {
      const slot: Slot = { buf: Buffer.allocUnsafe(Math.min(BLOCK, this.size - this.next)), done: false };
      this.slots.push(slot);
      this.fill(slot, 0, this.next);
      this.next += slot.buf.length;
    }
    if (this.slots.length === 0 && this.next >= this.size) {
      this.closeHandle();
      this.push(null);
    }
  }

  private closeHandle(): void {
    if (this.handleClosed) return;
    this.handleClosed = true;
    this.sftp.close(this.handle, () => undefined);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.closeHandle();
    callback(err);
  }
}
