import { parseArgs } from 'node:util';
import { runContexts } from './contexts-command';
import { runSandbox } from './sandbox-command';
import { runServe } from './serve-command';

const USAGE = `Usage: homeport <command> [options]

Commands:
  serve      Start web mode: the Homeport UI over HTTP on this machine
             --port N        port to listen on (default: a free port)
             --host ADDR     address to bind (default 127.0.0.1)
             --data-dir DIR  settings directory (default $HOMEPORT_DATA_DIR or the platform config dir)
             --sandbox       also start the simulated sandbox cluster and add its context
  sandbox    Start the simulated sandbox cluster (for demos and tests) and write its kubeconfig
             --port N                port to listen on (default: a free port)
             --nodes N               number of simulated nodes (default 3)
             --kubeconfig-out PATH   where to write the kubeconfig (default ./homeport-sandbox.kubeconfig)
  contexts   List kubeconfig contexts the way kubectl sees them
             --kubeconfig PATH  read only this file
             --json             print JSON
             --data-dir DIR     include the kubeconfig files added in Homeport

  homeport <command> --help shows this text.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: {
            port: { type: 'string' },
            host: { type: 'string' },
            'data-dir': { type: 'string' },
            sandbox: { type: 'boolean' },
          },
          strict: true,
        });
        return await runServe(values);
      }
      case 'sandbox': {
        const { values } = parseArgs({
          args: rest,
          options: { port: { type: 'string' }, nodes: { type: 'string' }, 'kubeconfig-out': { type: 'string' } },
          strict: true,
        });
        return await runSandbox(values);
      }
      case 'contexts': {
        const { values } = parseArgs({
          args: rest,
          options: { kubeconfig: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
          strict: true,
        });
        return await runContexts(values);
      }
      default:
        console.error(`homeport: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`homeport ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
