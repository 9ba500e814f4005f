export * from './census-populations.ts';
export * from './force-settings.ts';
export * from './forces.ts';
export * from './reference-data.ts';
