import { DomainError, type DomainErrorCode } from '@cdt/domain-shared';

/**
 * given / when / then for every decider and every fold (STYLE.md):
 *
 *   const spec = deciderSpec({ decide, evolve, initialState });
 *   spec.given([teamEstablished]).when(addMember).then([memberJoined]);
 *   spec.given([]).when(addMember).thenThrows('TEAM_NOT_FOUND', 'teamId');
 *   spec.given([teamEstablished, memberJoined]).thenModel(expectedState);
 *
 * `then` also folds the decided events onto the state, so an event the decider can emit but evolve
 * cannot apply fails here rather than on the first replay in production.
 */
/**
 * `History` is what `given` accepts and `evolve` folds; it may be wider than what `decide` emits (the
 * activity decider folds the team's registry events too, but only emits activity events).
 */
export interface Decider<Command, Event extends History, State, History = Event> {
  decide: (command: Command, state: State) => readonly Event[];
  evolve: (state: State, event: History) => State;
  initialState: State;
}

export interface Fold<Event, State> {
  evolve: (state: State, event: Event) => State;
  initialState: State;
}

export interface ThenModel<State> {
  /** Asserts the state folded from the given events equals `expected` (deep equality). */
  thenModel: (expected: State) => void;
}

export interface WhenResult<Event> {
  /** The decided events must equal `expected` and fold onto the state without error. */
  then: (expected: readonly Event[]) => void;
  /** Asserts decide throws a DomainError with this code (and field, when given). */
  thenThrows: (code: DomainErrorCode, field?: string) => DomainError;
  /** The decided events, for assertions the shorthand cannot express. */
  events: () => readonly Event[];
}

export interface Given<Command, Event, State> extends ThenModel<State> {
  when: (command: Command) => WhenResult<Event>;
  state: () => State;
}

const fold = <Event, State>({ evolve, initialState }: Fold<Event, State>, events: readonly Event[]): State =>
  events.reduce(evolve, initialState);

export const projectionSpec = <Event, State>(projection: Fold<Event, State>) => ({
  given: (events: readonly Event[]): ThenModel<State> => ({
    thenModel: (expected: State) => expect(fold(projection, events)).toEqual(expected),
  }),
});

export const deciderSpec = <Command, Event extends History, State, History = Event>(
  decider: Decider<Command, Event, State, History>,
) => ({
  given: (history: readonly History[]): Given<Command, Event, State> => {
    const state = () => fold(decider, history);
    return {
      state,
      thenModel: (expected: State) => expect(state()).toEqual(expected),
      when: (command: Command): WhenResult<Event> => {
        const run = () => decider.decide(command, state());
        return {
          events: run,
          then: (expected: readonly Event[]) => {
            const decided = run();
            expect(decided).toEqual(expected);
            expect(() => decided.reduce(decider.evolve, state())).not.toThrow();
          },
          thenThrows: (code: DomainErrorCode, field?: string): DomainError => {
            let thrown: unknown;
            let decided: readonly Event[] | undefined;
            try {
              decided = run();
            } catch (error) {
              thrown = error;
            }
            if (thrown === undefined) {
              throw new Error(`expected DomainError ${code}, but decide returned ${JSON.stringify(decided)}`);
            }
            if (!(thrown instanceof DomainError)) throw thrown;
            expect({ code: thrown.code, field: field === undefined ? undefined : thrown.field }).toEqual({
              code,
              field,
            });
            return thrown;
          },
        };
      },
    };
  },
});
