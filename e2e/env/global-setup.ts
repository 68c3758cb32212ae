/**
 * Starts the real Docker engine the Swarm specs use (private dockerd, one-node swarm on
 * 127.0.0.1, stand-in images) once for the run; its socket reaches the specs through
 * HOMEPORT_E2E_DOCKER_HOST.
 */
import { startTestDockerd } from '../../electron/core/docker/testing/dockerd';

export default async function globalSetup() {
  const engine = await startTestDockerd();
  process.env.HOMEPORT_E2E_DOCKER_HOST = engine.host;
  return () => engine.close();
}
