import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput } from '@shared/contract';
import type { MetricRange } from '@shared/readiness-schemas';
import { invoke } from '../../lib/api-client';

const settingsKey = (context: string) => ['metrics:getSettings', context];
const dashboardKey = (context: string | undefined) => ['metrics:dashboard', context];

/** The stacks a dashboard can be drawn for (the catalog; the same query the Deploy screen reads). */
export const useStackCatalog = () => useQuery({ queryKey: ['stacks:list'], queryFn: () => invoke('stacks:list', {}) });

export interface DashboardRef {
  context: string | undefined;
  namespace: string;
  stack: string;
  range: MetricRange;
}

/** The stack's panels over the range, queried again every 30 s while the screen is open. */
export function useDashboard({ context, namespace, stack, range }: DashboardRef) {
  return useQuery({
    queryKey: [...dashboardKey(context), namespace, stack, range],
    queryFn: () => invoke('metrics:dashboard', { context: context ?? '', namespace, stack, range }),
    enabled: context !== undefined && namespace !== '',
    refetchInterval: 30_000,
    retry: false,
  });
}

/** Which Prometheus a context uses (the secret itself never comes back, only whether one is stored). */
export const useMetricsSettings = (context: string) =>
  useQuery({ queryKey: settingsKey(context), queryFn: () => invoke('metrics:getSettings', { context }) });

/** Saves the settings and redraws the dashboard from the Prometheus they name. */
export function useSaveMetricsSettings(context: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChannelInput<'metrics:setSettings'>) => invoke('metrics:setSettings', input),
    onSuccess: (data) => {
      queryClient.setQueryData(settingsKey(context), data);
      void queryClient.invalidateQueries({ queryKey: dashboardKey(context) });
    },
  });
}

/** Queries the Prometheus the form names, without saving anything. */
export const useTestMetricsSettings = () =>
  useMutation({ mutationFn: (input: ChannelInput<'metrics:testSettings'>) => invoke('metrics:testSettings', input) });
