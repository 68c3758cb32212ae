/**
 * Vitest global setup of the "docker" test project: one real engine (private dockerd, one-node
 * swarm, stand-in images) for every *.docker.test.ts file, which run one at a time.
 */
import type { TestProject } from 'vitest/node';
import { startTestDockerd } from './dockerd';

declare module 'vitest' {
  export interface ProvidedContext {
    /** unix:///... socket of the test engine. */
    dockerHost: string;
  }
}

export default async function setup(project: TestProject) {
  const engine = await startTestDockerd();
  project.provide('dockerHost', engine.host);
  return () => engine.close();
}
