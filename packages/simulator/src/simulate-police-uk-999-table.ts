import { Random } from './random.ts';

export interface NationalForce {
  readonly name: string;
  /** Residents (2011 Census): a force's 999 volume is taken as proportional to them. */
  readonly residents: number;
}

/**
 * police.uk's monthly 999 answer-time table for one month, generated for the demo: a row per
 * force of England and Wales (named as police.uk prints them, "Avon & Somerset Constabulary"),
 * plus Police Scotland, which the importer refuses by line as a real table's non-English forces
 * are. Volumes follow population (about 0.9 calls per 1,000 residents a day); the share answered
 * within 10 seconds spreads from 70% to 96% as forces do. Deterministic for a seed. `own` gives a
 * force's row its own counts (the demo force: the figure police.uk would print for it).
 */
export function simulatePoliceUk999Table(options: {
  readonly month: string;
  readonly forces: readonly NationalForce[];
  readonly seed?: number;
  readonly own?: {
    readonly name: string;
    readonly answered: number;
    readonly under10s: number;
    readonly meanSeconds: number;
  };
}): string {
  const random = new Random(options.seed ?? 999);
  const [year = '', month] = options.month.split('-');
  const label = `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(month) - 1]}-${year.slice(2)}`;
  const printed = (name: string) => (name.includes('Police') ? name : `${name.replace(' and ', ' & ')} Police`);
  const lines = [
    'Force Name,Month,Calls presented,Answered in under 10 seconds,Answered in 10 to under 60 seconds,Answered in 60 seconds or more,Mean answer time (seconds)',
  ];
  const row = (name: string, answered: number, under10s: number, meanSeconds: number) => {
    const over60s = Math.round((answered - under10s) * 0.08);
    lines.push(
      `"${name}",${label},${Math.round(answered * 1.02)},${under10s},${answered - under10s - over60s},${over60s},${meanSeconds.toFixed(1)}`,
    );
  };
  for (const force of options.forces) {
    if (options.own && force.name === options.own.name) {
      row(printed(force.name), options.own.answered, options.own.under10s, options.own.meanSeconds);
      continue;
    }
    const answered = Math.max(200, Math.round((force.residents / 1_000) * 0.9 * 30 * (0.85 + random.next() * 0.3)));
    const share = 0.7 + random.next() * 0.26;
    row(printed(force.name), answered, Math.round(answered * share), 4 + (1 - share) * 40);
  }
  row('Police Scotland', 75_000, 66_000, 7.4);
  return `${lines.join('\n')}\n`;
}
