/** A command's output as text, kept up to `max` characters (the rest is read and dropped, so the command never blocks). */
import type { Readable } from 'node:stream';

export function collectOutput(stream: Readable, max: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (text.length < max) text += chunk.slice(0, max - text.length);
    });
    stream.once('end', () => resolve(text));
    stream.once('error', () => resolve(text));
    stream.once('close', () => resolve(text));
  });
}
