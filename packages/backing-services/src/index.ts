export * from './backing-services.ts';
