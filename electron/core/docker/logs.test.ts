import { describe, expect, it } from 'vitest';
import { createLineSplitter, createLogDemuxer, type LogStreamType } from './logs';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function demuxLines(chunks: Buffer[]) {
  const lines: string[] = [];
  const splitter = createLineSplitter((l) => lines.push(l));
  const demux = createLogDemuxer((s: LogStreamType, p) => splitter.push(s, p));
  for (const c of chunks) demux.push(c);
  splitter.end();
  return lines;
}

describe('log demultiplexing', () => {
  const stream = Buffer.concat([
    frame(1, 'out-1\nout-2 part'),
    frame(2, 'err-1 ünïcødé\n'),
    frame(1, 'ial\n'),
    frame(1, ''),
    frame(2, 'err-2\r\nerr-3'),
  ]);
  const expected = ['out-1', 'err-1 ünïcødé', 'out-2 partial', 'err-2', 'err-3'];

  it('splits frames into lines, keeping partial lines per stream', () => {
    expect(demuxLines([stream])).toEqual(expected);
  });

  it('gives the same lines however the bytes are split, and never a header byte', () => {
    for (let size = 1; size <= 13; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      const lines = demuxLines(chunks);
      expect(lines).toEqual(expected);
      expect([...lines.join('')].some((ch) => ch.charCodeAt(0) < 3)).toBe(false);
    }
    // Every split point into two chunks, including inside headers and inside a multi-byte character.
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(demuxLines([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
  });

  it('keeps a partial last line until it is completed', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((l) => lines.push(l));
    const demux = createLogDemuxer(splitter.push);
    demux.push(frame(1, 'hal'));
    expect(lines).toEqual([]);
    demux.push(frame(1, 'f\nnext'));
    expect(lines).toEqual(['half']);
    splitter.end();
    expect(lines).toEqual(['half', 'next']);
  });
});
