import { parseArgs } from 'node:util';
import { preflight, reportError, unknownCommand } from './conventions';
import { runContexts } from './contexts-command';
import { runDocker } from './docker-commands';
import { EXEC_USAGE, runExec } from './exec-command';
import { runSandbox } from './sandbox-command';
import { runPortForward } from './portforward-command';
import { runReadiness } from './readiness-command';
import { runRegistry } from './registry-commands';
import { runServe } from './serve-command';
import { runDeploy, runRender, runRevisions, runRollback, runUninstall } from './stack-commands';
import { runNas, runS3 } from './storage-commands';
import { UsageError } from './usage-error';
import { runStacks } from './user-stack-commands';

const USAGE = `Usage: homeport <command> [options]

Commands:
  serve      Start web mode: the Homeport UI over HTTP on this machine
             --port N        port to listen on (default: a free port)
             --host ADDR     address to bind (default 127.0.0.1)
             --data-dir DIR  settings directory (default $HOMEPORT_DATA_DIR or the platform config dir)
             --sandbox       also start the sandbox cluster and add its context
             --runtime docker[=DOCKER_HOST]  with --sandbox: run the sandbox's pods as real containers
             --no-demo       with --sandbox: start it empty, without the demo workload
  sandbox    Start the sandbox cluster (for demos and tests) and write its kubeconfig
             --port N                port to listen on (default: a free port)
             --nodes N               number of simulated nodes (default 3)
             --kubeconfig-out PATH   where to write the kubeconfig (default ./homeport-sandbox.kubeconfig)
             --runtime docker[=DOCKER_HOST]  run pods as real containers on a local Docker engine
                                     ($DOCKER_HOST or unix:///var/run/docker.sock; images must be there),
                                     with kubectl logs, exec and port-forward (default: simulated)
             --no-demo               start empty, without the demo workload (a Deployment in namespace demo)
  contexts   List kubeconfig contexts the way kubectl sees them
             --kubeconfig PATH  read only this file
             --json             print JSON
             --data-dir DIR     include the kubeconfig files added in Homeport
  render STACK     Print the stack's Kubernetes objects as YAML (nothing is sent anywhere)
             --values FILE      values (YAML or JSON); omitted fields take the defaults
             --namespace NS     target namespace (default: the stack's name)
  deploy STACK     Plan, then apply the stack to a cluster and follow its rollout
             --context NAME     kubeconfig context to deploy to
             --swarm ENDPOINT   or: a saved Docker endpoint ('env' = $DOCKER_HOST) to deploy to its swarm
             --values FILE      values (YAML or JSON)
             --namespace NS     target namespace (default: the stack's name)
             --dry-run          print the plan only
             --yes              apply (and delete objects the stack no longer has) without asking
             --timeout 10m      how long to wait for the stack to become healthy
             --kubeconfig PATH  use this kubeconfig file instead of $KUBECONFIG / ~/.kube/config
  revisions STACK  List the recorded revisions of a deployed stack (--context, --namespace)
  rollback STACK   Roll back to an earlier revision: --context NAME --revision N [--yes]
                   or one Swarm service to its previous spec: --swarm ENDPOINT --service NAME
  uninstall STACK  Delete the stack's objects, keeping its data volumes: --context NAME [--yes]
             --delete-claims    also delete the PersistentVolumeClaims / Swarm data volumes (the data is lost)

  exec ... -- COMMAND  Run a command in a pod's or Swarm task's container, exit with its exit code:
             --context NAME [-n NS] POD [-c CONTAINER] | --swarm ENDPOINT SERVICE|SERVICE.SLOT|TASK_ID
             -i pass stdin, -it a terminal (homeport exec --help)
  port-forward pod/NAME|svc/NAME [LOCAL:]REMOTE  Forward 127.0.0.1:LOCAL to a pod's or a Service's port until Ctrl-C
             --context NAME     kubeconfig context; -n/--namespace NS (default: the context's)
             LOCAL 0 or left out (:REMOTE) picks a free port; REMOTE may be a port name
  readiness STACK  The readiness scorecard of a deployed stack: --context NAME [--namespace NS] | --swarm ENDPOINT [--json]
  backup STACK     Back up a deployed stack: --context NAME [-n NS] | --swarm ENDPOINT, --to DEST [--json]
             DEST: nas:HOST/DIR_OR_EXPORT | s3:PROFILE/BUCKET[/PREFIX] | file:DIR
  backups ...      list, verify (restore drill), restore, prune the backups at --to DEST (homeport backups help)
  backup-key       Set the key generated secrets are encrypted with: --passphrase-stdin | --key-file PATH
  docker ...       Docker endpoints: add, test, remove (homeport docker help)
  nas ...          NAS hosts over SSH and their NFS exports (homeport nas help)
  s3 ...           S3 endpoint profiles and buckets (homeport s3 help)
  registry ...     Credentials for private images on a swarm (homeport registry help)
  stacks ...       List stacks; import a docker-compose.yml as a user stack (homeport stacks help)

  homeport <command> --help shows this text.`;

const TARGET_OPTIONS = {
  context: { type: 'string' },
  swarm: { type: 'string' },
  namespace: { type: 'string' },
  kubeconfig: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    const early = await preflight(command, rest, USAGE);
    if (early !== undefined) return early;
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: {
            port: { type: 'string' },
            host: { type: 'string' },
            'data-dir': { type: 'string' },
            sandbox: { type: 'boolean' },
            runtime: { type: 'string' },
            'no-demo': { type: 'boolean' },
          },
          strict: true,
        });
        return await runServe(values);
      }
      case 'sandbox': {
        const { values } = parseArgs({
          args: rest,
          options: {
            port: { type: 'string' },
            nodes: { type: 'string' },
            'kubeconfig-out': { type: 'string' },
            runtime: { type: 'string' },
            'no-demo': { type: 'boolean' },
          },
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
      case 'render': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { values: { type: 'string' }, namespace: { type: 'string' }, 'data-dir': { type: 'string' } },
          allowPositionals: true,
          strict: true,
        });
        return await runRender(onePositional(positionals), values);
      }
      case 'deploy': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            ...TARGET_OPTIONS,
            values: { type: 'string' },
            'dry-run': { type: 'boolean' },
            timeout: { type: 'string' },
            yes: { type: 'boolean', short: 'y' },
          },
          allowPositionals: true,
          strict: true,
        });
        return await runDeploy(onePositional(positionals), values);
      }
      case 'rollback': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            ...TARGET_OPTIONS,
            revision: { type: 'string' },
            service: { type: 'string' },
            timeout: { type: 'string' },
            yes: { type: 'boolean', short: 'y' },
          },
          allowPositionals: true,
          strict: true,
        });
        return await runRollback(onePositional(positionals), values);
      }
      case 'uninstall': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...TARGET_OPTIONS, 'delete-claims': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
          allowPositionals: true,
          strict: true,
        });
        return await runUninstall(onePositional(positionals), values);
      }
      case 'revisions': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: TARGET_OPTIONS,
          allowPositionals: true,
          strict: true,
        });
        return await runRevisions(onePositional(positionals), values);
      }
      case 'readiness': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...TARGET_OPTIONS, json: { type: 'boolean' } },
          allowPositionals: true,
          strict: true,
        });
        return await runReadiness(onePositional(positionals), values);
      }
      case 'exec':
        if (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h') {
          console.log(EXEC_USAGE);
          return rest.length === 0 ? 2 : 0;
        }
        return await runExec(rest);
      case 'port-forward': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { ...TARGET_OPTIONS, namespace: { type: 'string', short: 'n' } },
          allowPositionals: true,
          strict: true,
        });
        return await runPortForward(positionals, values);
      }
      // Loaded on use: the backup commands pull in the backup engine.
      case 'backup':
        return await (await import('./backup-commands')).runBackup(rest);
      case 'backups':
        return await (await import('./backup-commands')).runBackups(rest);
      case 'backup-key':
        return await (await import('./backup-commands')).runBackupKey(rest);
      case 'docker':
        return await runDocker(rest);
      case 'nas':
        return await runNas(rest);
      case 's3':
        return await runS3(rest);
      case 'registry':
        return await runRegistry(rest);
      case 'stacks':
        return await runStacks(rest);
      default:
        console.error(unknownCommand(command, USAGE));
        return 2;
    }
  } catch (err) {
    return await reportError(command, err, USAGE);
  }
}

function onePositional(positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`expected one stack name, got: ${positionals.join(' ')}`);
  return positionals[0];
}
