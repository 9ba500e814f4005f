export * from './bundle-service.ts';
