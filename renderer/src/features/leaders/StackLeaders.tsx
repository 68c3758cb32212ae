import { useStacks } from '../deploy/use-deploy';

/**
 * Stacks whose leader is not a Lease (a row of a database table, say): where it lives and why
 * Homeport cannot show its holder yet. Each stack says so itself; nothing here names one.
 */
export function StackLeaders() {
  const { data } = useStacks();
  const elsewhere = (data?.stacks ?? []).flatMap((s) =>
    s.leader && !s.leader.observable ? [{ name: s.name, title: s.title, leader: s.leader }] : [],
  );
  if (elsewhere.length === 0) return null;
  return (
    <section aria-labelledby="stack-leaders-title" data-testid="stack-leaders">
      <h2 id="stack-leaders-title">Leader election outside Leases</h2>
      <ul>
        {elsewhere.map(({ name, title, leader }) => (
          <li key={name} data-stack-leader={name}>
            <span className="strong">{title}</span>: the leader of its periodic jobs is {leader.where}
            {leader.why ? `; ${leader.why}` : ''}.
          </li>
        ))}
      </ul>
    </section>
  );
}
