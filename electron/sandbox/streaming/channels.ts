/**
 * The Kubernetes WebSocket channel protocols (k8s.io/apimachinery wsstream): every message starts
 * with its channel number, as a byte in binary messages (`v4.channel.k8s.io`,
 * `v5.channel.k8s.io`, or no subprotocol) or as an ASCII digit before base64 text
 * (`v4.base64.channel.k8s.io`).
 */
export function createChannelCodec(protocol: string) {
  const base64 = protocol.includes('base64');
  return {
    encode(channel: number, data: Buffer): [Buffer | string, { binary: boolean }] {
      if (base64) return [`${String.fromCharCode(48 + channel)}${data.toString('base64')}`, { binary: false }];
      return [Buffer.concat([Buffer.from([channel]), data]), { binary: true }];
    },
    decode(message: Buffer, isBinary: boolean): { channel: number; data: Buffer } | undefined {
      if (message.length === 0) return undefined;
      if (base64 && !isBinary) {
        const text = message.toString('latin1');
        return { channel: text.charCodeAt(0) - 48, data: Buffer.from(text.slice(1), 'base64') };
      }
      return { channel: message[0] as number, data: message.subarray(1) };
    },
  };
}
