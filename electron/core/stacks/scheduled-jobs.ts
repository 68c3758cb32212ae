/**
 * Scheduled jobs of a stack model, for each platform (the CronJob is rendered in kubernetes-cronjob.ts).
 *
 * - Kubernetes: a batch/v1 CronJob in UTC (timeZone Etc/UTC, so the schedule means the same as on
 *   Swarm), concurrencyPolicy Forbid (a dump still running when the next time comes is not
 *   doubled), pods that run once (restartPolicy Never, two retries) with no API token.
 * - Swarm has no cron. The job becomes one replicated service running the job's image with a small
 *   POSIX sh loop (CRON_LOOP) that wakes at each minute, runs the command when the cron fields
 *   match the UTC time, and waits for it: a run in progress is never doubled, as with Forbid.
 *   Swarm's replicated-job mode was the other way, but it runs once per service update only: a
 *   scheduler outside the swarm would have to update the service at each time, and the point of
 *   the in-cluster schedule is to run while Homeport does not. A shell is needed here because the
 *   image has no scheduler of its own (BusyBox crond is in Alpine images only, and wants root).
 *   The service carries the schedule as a note for people and screens: the labels
 *   `homeport.dev/schedule=<cron>` and `homeport.dev/description` (swarm-jobs.ts), and the plan says
 *   when it runs. (One-shot jobs, which run once per spec, are replicated-job services: swarm-jobs.ts.)
 */
import type { Component, ScheduledJob, StackModel } from './model';

/**
 * `matches FIELD VALUE`: whether a cron field ('*', '5', '1-5', '*\/15', '0,30', '1-10/2') holds
 * the value; `due` compares the five fields of $CRON_SCHEDULE with `now` (UTC minute hour day
 * month weekday). As in cron, when both day fields are restricted either may match, and weekday
 * 7 is Sunday too. `set -f`: a '*' field must not expand to file names.
 */
export const CRON_FUNCTIONS = `set -f
matches() {
  for part in $(echo "$1" | tr ',' ' '); do
    step=1
    case $part in */*) step=\${part#*/}; part=\${part%/*} ;; esac
    case $part in
      '*') lo=0; hi=99 ;;
      *-*) lo=\${part%-*}; hi=\${part#*-} ;;
      *) lo=$part; hi=$part; if [ "$step" -gt 1 ]; then hi=99; fi ;;
    esac
    if [ "$2" -ge "$lo" ] && [ "$2" -le "$hi" ] && [ $(( ($2 - lo) % step )) -eq 0 ]; then return 0; fi
  done
  return 1
}
weekday() { matches "$1" "$2" || { [ "$2" -eq 0 ] && matches "$1" 7; }; }
now() { date -u '+%M %H %d %m %w'; }
due() {
  set -- $CRON_SCHEDULE
  f_min=$1; f_hour=$2; f_dom=$3; f_mon=$4; f_dow=$5
  set -- $(now)
  m=\${1#0}; h=\${2#0}; d=\${3#0}; mo=\${4#0}; w=$5
  matches "$f_min" "$m" && matches "$f_hour" "$h" && matches "$f_mon" "$mo" || return 1
  if [ "$f_dom" != '*' ] && [ "$f_dow" != '*' ]; then
    matches "$f_dom" "$d" || weekday "$f_dow" "$w"
  else
    matches "$f_dom" "$d" && weekday "$f_dow" "$w"
  fi
}
`;

/** Runs "$@" at each time of $CRON_SCHEDULE (UTC), one run at a time. */
export const CRON_LOOP = `${CRON_FUNCTIONS}
echo "waiting for $CRON_SCHEDULE (UTC)"
while :; do
  s=$(date -u +%S)
  sleep $(( 60 - \${s#0} ))
  if due; then
    "$@" || echo "scheduled run failed with exit code $?" >&2
  fi
done
`;

/**
 * The Swarm service of a scheduled job, as a component the Swarm renderer turns into a service
 * like any other: the loop around the command, one replica, healthy while the volumes it writes
 * to are writable (what makes the next run fail otherwise).
 */
export function swarmJobComponent(job: ScheduledJob, stack: string): Component {
  const writable = job.mounts.filter((m) => !m.readOnly).map((m) => m.mountPath);
  const check = {
    type: 'exec' as const,
    command: ['sh', '-c', writable.length > 0 ? writable.map((p) => `test -w '${p}'`).join(' && ') : 'true'],
  };
  return {
    name: job.name,
    image: job.image,
    tools: ['sh'],
    command: ['sh', '-c', CRON_LOOP, 'cron-loop', ...job.command],
    ports: [],
    env: [
      { name: 'CRON_SCHEDULE', value: job.schedule },
      ...job.env,
      ...(job.stackNameEnv ? [{ name: job.stackNameEnv, value: stack }] : []),
    ],
    secretEnv: job.secretEnv,
    identityEnv: [],
    mounts: job.mounts,
    stateful: false,
    security: job.user ? { user: job.user } : undefined,
    probes: { liveness: { check, periodSeconds: 60 }, readiness: { check, periodSeconds: 60, timeoutSeconds: 10 } },
    replicas: 1,
    resources: job.resources,
    stopGracePeriodSeconds: 30,
  };
}

/** Whether Swarm can run the job's schedule loop: its image has a shell (or says nothing of its tools). */
export const schedulableOnSwarm = (job: ScheduledJob) => job.tools === undefined || job.tools.includes('sh');

/** The model with its scheduled jobs as Swarm services (components); jobs whose image has no shell are left out. */
export function withSwarmJobs(model: StackModel, stack: string): StackModel {
  if (!model.jobs?.length) return model;
  const services = model.jobs.filter(schedulableOnSwarm).map((j) => swarmJobComponent(j, stack));
  return { ...model, components: [...model.components, ...services], jobs: [] };
}
