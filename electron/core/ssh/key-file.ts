/** Reading the private key a saved NAS host or ssh:// endpoint names, with errors that name the field. */
import { fieldLabel } from '@shared/field-labels';
import { errorMessage } from '../errors';
import { readUserFile, UserFileError } from '../storage/user-file';
import { SshConfigError, type SshErrorContext } from './errors';

/**
 * The key file's bytes; `field` names the setting that holds the path ('keyFile', 'sshKeyFile'),
 * told to the user by its on-screen label ("SSH key file"); ~/.ssh/config's IdentityFile keeps its name.
 */
export async function readPrivateKeyFile(file: string, field: string, context: SshErrorContext): Promise<Buffer> {
  const label = field === 'IdentityFile' ? field : fieldLabel('', [field]);
  try {
    return await readUserFile(file, { kind: 'pem', field: label });
  } catch (err) {
    if (err instanceof UserFileError) {
      throw new SshConfigError(`${err.message}; point it at your private key or use the SSH agent`, context);
    }
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : errorMessage(err);
    throw new SshConfigError(`${label} ${file} ${what}; point it at your private key or use the SSH agent`, context);
  }
}
