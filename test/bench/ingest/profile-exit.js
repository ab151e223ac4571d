// Preloaded into the service only when bench:ingest profiles it (--profile): NestJS answers SIGINT by
// closing the app and re-sending the signal to itself, which would end the process without writing the
// --cpu-prof file. This listener stays registered, so that second SIGINT becomes an ordinary exit.
let signals = 0;
process.on('SIGINT', () => {
  signals += 1;
  if (signals > 1) process.exit(0);
});
