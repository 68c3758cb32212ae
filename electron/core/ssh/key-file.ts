/** Reading the private key a saved NAS host or ssh:// endpoint names, with errors that name the field. */
import { errorMessage } from '../errors';
import { readUserFile, UserFileError } from '../storage/user-file';
import { SshConfigError, type SshErrorContext } from './errors';

/** The key file's bytes; `field` names the setting that holds the path ('keyFile', 'sshKeyFile'). */
export async function readPrivateKeyFile(file: string, field: string, context: SshErrorContext): Promise<Buffer> {
  try {
    return await readUserFile(file, { kind: 'pem', field: `'${field}'` });
  } catch (err) {
    if (err instanceof UserFileError) {
      throw new SshConfigError(`${err.message}; point it at your private key or use the SSH agent`, context);
    }
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : errorMessage(err);
    throw new SshConfigError(`'${field}' ${file} ${what}; point it at your private key or use the SSH agent`, context);
  }
}
