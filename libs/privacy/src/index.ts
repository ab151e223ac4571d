export * from './lib/sealed-box';
export * from './lib/subject-keys';
export * from './lib/contact-vault';
export * from './lib/erasure';
export * from './lib/privacy.module';
