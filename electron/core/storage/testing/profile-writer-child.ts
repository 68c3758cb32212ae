/**
 * A second Homeport process writing S3 profiles (each with its secret key) into a shared data
 * directory, as the desktop app, `homeport serve` and the CLI do. Waits for 'go' so two of them
 * start together; reports the profiles whose add was acknowledged.
 */
import { createS3Profiles } from '../../s3/profiles';
import { createSecretStore } from '../../secrets/secret-store';

const [dataDir = '', prefix = 'p', count = '10'] = process.argv.slice(2);
const profiles = createS3Profiles({ dataDir, secrets: createSecretStore({ dataDir }) });

process.once('message', async () => {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    const name = `${prefix}-${i}`;
    try {
      await profiles.add({
        name,
        endpoint: 'http://127.0.0.1:9000',
        accessKeyId: `AK${i}`,
        secretAccessKey: `secret-of-${name}`,
      });
      acknowledged.push(name);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  process.send?.({ acknowledged, failures }, () => process.disconnect());
});
process.send?.('ready');
