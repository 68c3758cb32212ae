/**
 * Engine API version negotiation, as the docker CLI does it: the engine's unversioned `/_ping`
 * names the newest API version it speaks (the `API-Version` header); Homeport uses that or its own
 * newest, whichever is older. Engines refuse versions below their minimum (Docker Engine 29 refuses
 * anything below 1.44), so a fixed version cannot reach both old and current engines.
 *
 * Every call Homeport makes (services create/update/rollback with TaskTemplate.Networks, tasks,
 * secrets, configs, networks, volumes, nodes, info, version, events, service and task logs) means the
 * same from 1.41 to 1.51: the changes in between touch containers, images, build and fields of
 * /info that Homeport does not read (Engine API version history, v1.42 to v1.51).
 */
/** The oldest Engine API Homeport needs: Docker 20.10 (service status counts, job modes). */
export const MIN_DOCKER_API_VERSION = '1.41';
/** The newest Engine API whose changes Homeport has checked against the calls it makes (Docker 28.3). */
export const MAX_DOCKER_API_VERSION = '1.51';

/** `1.41` -> [1, 41]; undefined for anything else. */
function parts(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareApiVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) throw new Error(`Not an Engine API version: ${pa ? b : a}`);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/**
 * The version to speak with an engine whose `/_ping` advertised `advertised`: the older of it and
 * Homeport's newest; or why there is none (no version given, or an engine older than Homeport needs).
 */
export function chooseApiVersion(advertised: string | undefined): { version: string } | { refused: string } {
  if (advertised === undefined || parts(advertised) === undefined) {
    return {
      refused: `/_ping answered without an Engine API version (API-Version header${advertised ? ` "${advertised}"` : ''}); is this a Docker engine?`,
    };
  }
  if (compareApiVersions(advertised, MIN_DOCKER_API_VERSION) < 0) {
    return {
      refused: `the engine speaks Engine API ${advertised}, older than the ${MIN_DOCKER_API_VERSION} (Docker 20.10) Homeport needs; upgrade Docker on that host`,
    };
  }
  return { version: compareApiVersions(advertised, MAX_DOCKER_API_VERSION) < 0 ? advertised : MAX_DOCKER_API_VERSION };
}

/** The engine refused the request's API version ("client version 1.41 is too old. Minimum supported ..."). */
export function isVersionRefusal(status: number, message: string): boolean {
  return status === 400 && /client version \S+ is too (old|new)/i.test(message);
}
