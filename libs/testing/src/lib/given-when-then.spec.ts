import { DomainError } from '@cdt/domain-shared';
import { deciderSpec, projectionSpec } from './given-when-then';

// A tally that can be raised and must never go above 2: enough to exercise every branch of the helper.
type Raised = { type: 'Raised'; by: number };
type Raise = { type: 'Raise'; by: number };
const decide = (command: Raise, total: number): Raised[] => {
  if (command.by < 0) throw new DomainError('INVALID_VALUE', 'by must be ≥ 0', 'by');
  if (command.by === 99) throw new TypeError('a bug, not a rule');
  if (total + command.by > 2) throw new DomainError('REASON_REQUIRED', 'too high');
  return command.by === 0 ? [] : [{ type: 'Raised', by: command.by }];
};
const evolve = (total: number, event: Raised): number => total + event.by;
const spec = deciderSpec({ decide, evolve, initialState: 0 });

describe('given / when / then', () => {
  it('passes when decide returns the expected events', () => {
    spec.given([{ type: 'Raised', by: 1 }]).when({ type: 'Raise', by: 1 }).then([{ type: 'Raised', by: 1 }]);
    spec.given([]).when({ type: 'Raise', by: 0 }).then([]);
  });

  it('fails when the events differ', () => {
    expect(() => spec.given([]).when({ type: 'Raise', by: 1 }).then([{ type: 'Raised', by: 2 }])).toThrow();
  });

  it('checks the code and, when given, the field of a DomainError', () => {
    const error = spec.given([]).when({ type: 'Raise', by: -1 }).thenThrows('INVALID_VALUE', 'by');
    expect(error.message).toBe('by must be ≥ 0');
    spec.given([{ type: 'Raised', by: 2 }]).when({ type: 'Raise', by: 1 }).thenThrows('REASON_REQUIRED');
    expect(() => spec.given([]).when({ type: 'Raise', by: -1 }).thenThrows('INVALID_VALUE', 'other')).toThrow();
    expect(() => spec.given([]).when({ type: 'Raise', by: -1 }).thenThrows('TEAM_NOT_FOUND')).toThrow();
  });

  it('fails thenThrows when nothing is thrown, and lets a non-domain error surface as it is', () => {
    expect(() => spec.given([]).when({ type: 'Raise', by: 1 }).thenThrows('INVALID_VALUE')).toThrow(/decide returned/);
    expect(() => spec.given([]).when({ type: 'Raise', by: 99 }).thenThrows('INVALID_VALUE')).toThrow(TypeError);
  });

  it('folds the given events into a model', () => {
    spec.given([{ type: 'Raised', by: 1 }, { type: 'Raised', by: 1 }]).thenModel(2);
    expect(() => spec.given([{ type: 'Raised', by: 1 }]).thenModel(5)).toThrow();
    projectionSpec({ evolve, initialState: 10 }).given([{ type: 'Raised', by: 3 }]).thenModel(13);
  });

  it('fails then when evolve cannot apply what decide emitted', () => {
    const broken = deciderSpec({
      decide,
      evolve: (total: number, event: Raised) => {
        if (event.by === 1) throw new Error('evolve forgot this event');
        return total + event.by;
      },
      initialState: 0,
    });
    expect(() => broken.given([]).when({ type: 'Raise', by: 1 }).then([{ type: 'Raised', by: 1 }])).toThrow();
  });
});
