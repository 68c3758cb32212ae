import { describe, expect, it } from 'vitest';
import { createChannelCodec } from './channels';
import { execStatus } from './exec';
import { forwardedPorts } from './port-forward';

describe('the Kubernetes WebSocket channel framing', () => {
  it('binary protocols put the channel in the first byte', () => {
    const codec = createChannelCodec('v5.channel.k8s.io');
    const [message, opts] = codec.encode(2, Buffer.from('err'));
    expect(opts).toEqual({ binary: true });
    expect(message).toEqual(Buffer.from([2, 0x65, 0x72, 0x72]));
    expect(codec.decode(Buffer.from([0, 0x68, 0x69]), true)).toEqual({ channel: 0, data: Buffer.from('hi') });
  });

  it('base64 protocols send the channel as an ASCII digit before base64 text', () => {
    const codec = createChannelCodec('v4.base64.channel.k8s.io');
    expect(codec.encode(1, Buffer.from('hello'))).toEqual(['1aGVsbG8=', { binary: false }]);
    expect(codec.decode(Buffer.from('0dHlwZWQK'), false)).toEqual({ channel: 0, data: Buffer.from('typed\n') });
  });
});

describe('exec results and port-forward ports', () => {
  it('a non-zero exit is a NonZeroExitCode Status with the code as its ExitCode cause', () => {
    expect(execStatus(['true'], 0)).toEqual({ metadata: {}, status: 'Success' });
    expect(execStatus(['sh', '-c', 'exit 3'], 3)).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('reads ports as the API server (ports=) and the kubelet (port=) take them', () => {
    expect(forwardedPorts(new URLSearchParams('ports=80&ports=8080'))).toEqual([80, 8080]);
    expect(forwardedPorts(new URLSearchParams('port=80,9090'))).toEqual([80, 9090]);
    expect(forwardedPorts(new URLSearchParams(''))).toMatch(/query parameter "ports" is required/);
    expect(forwardedPorts(new URLSearchParams('ports=http'))).toBe('unable to parse "http" as a port');
    expect(forwardedPorts(new URLSearchParams('ports=70000'))).toBe('unable to parse "70000" as a port');
  });
});
