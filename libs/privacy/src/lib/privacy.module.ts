import { Module } from '@nestjs/common';
import { EVENT_STORE, type ManagedEventStore } from '@cdt/event-store';
import { ContactVault } from './contact-vault';
import { SubjectKeys } from './subject-keys';

/** ContactVault over the subject keys in the event store's own database. Needs EVENT_STORE. */
@Module({
  providers: [
    { provide: SubjectKeys, inject: [EVENT_STORE], useFactory: (store: ManagedEventStore) => new SubjectKeys(store.database) },
    { provide: ContactVault, inject: [SubjectKeys], useFactory: (keys: SubjectKeys) => new ContactVault(keys) },
  ],
  exports: [ContactVault, SubjectKeys],
})
export class PrivacyModule {}
