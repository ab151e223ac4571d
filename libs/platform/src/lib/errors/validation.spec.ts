import { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsString, IsUUID, ValidateNested } from 'class-validator';
import { ProblemError } from './problem';
import { createValidationPipe } from './validation';

class ItemDto {
  @IsUUID() activityId!: string;
  @IsArray() @ArrayNotEmpty() @IsString({ each: true }) memberIds!: string[];
}

class BatchDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ItemDto) items!: ItemDto[];
}

const metadata: ArgumentMetadata = { type: 'body', metatype: BatchDto };
const validItem = { activityId: '0b0c3f8e-4a64-4c1b-9a43-1f6a0b7a1e11', memberIds: ['m1'] };

async function problemOf(body: unknown): Promise<ProblemError> {
  try {
    await createValidationPipe().transform(body, metadata);
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected the pipe to refuse the body');
}

describe('the global validation pipe', () => {
  it('names the full dotted path of a nested field', async () => {
    const error = await problemOf({ items: [validItem, validItem, validItem, { ...validItem, memberIds: [] }] });
    expect(error.problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'items.3.memberIds is invalid: memberIds should not be empty',
      errors: [{ field: 'items.3.memberIds', code: 'ARRAY_NOT_EMPTY', message: 'memberIds should not be empty' }],
    });
  });

  it('refuses unknown fields, at any depth', async () => {
    const error = await problemOf({ items: [{ ...validItem, raw: 1 }], extra: true });
    expect(error.problem.errors).toHaveLength(2);
    expect(error.problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'items.0.raw', code: 'UNKNOWN_FIELD', message: 'items.0.raw is not a known field' },
        { field: 'extra', code: 'UNKNOWN_FIELD', message: 'extra is not a known field' },
      ]),
    );
  });

  it('lists every failed constraint and counts the fields in the detail', async () => {
    const error = await problemOf({ items: [{ activityId: 'nope', memberIds: 'm1' }] });
    expect(error.problem.detail).toBe('2 fields are invalid: items.0.activityId, items.0.memberIds');
    expect(error.problem.errors?.map((problem) => `${problem.field} ${problem.code}`).sort()).toEqual([
      'items.0.activityId IS_UUID',
      'items.0.memberIds ARRAY_NOT_EMPTY',
      'items.0.memberIds IS_ARRAY',
    ]);
  });

  it('turns a valid body into the DTO class', async () => {
    const value = await createValidationPipe().transform({ items: [validItem] }, metadata);
    expect(value).toBeInstanceOf(BatchDto);
    expect(value.items[0]).toBeInstanceOf(ItemDto);
  });
});
