import { INestApplication } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at `/docs`, the OpenAPI 3 document at `/docs-json`, bearer JWT declared for every call. */
export function setupOpenApi(app: INestApplication, options: { title: string; version: string; description?: string }): void {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer');
  if (options.description !== undefined) builder.setDescription(options.description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto, FieldProblemDto] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/** For `@ApiResponse({ status: 422, type: ProblemDto })` in the features' controllers. */
export class FieldProblemDto {
  @ApiProperty({ example: 'items.3.memberIds' }) field!: string;
  @ApiProperty({ example: 'MEMBER_NOT_IN_TEAM' }) code!: string;
  @ApiProperty() message!: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'https://cdt-ledger.gov.vn/problems/member-not-in-team' }) type!: string;
  @ApiProperty({ example: 'Member not in team' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiPropertyOptional() detail?: string;
  @ApiProperty({ example: 'MEMBER_NOT_IN_TEAM' }) code!: string;
  @ApiPropertyOptional({ example: '/v1/activities/household-visits' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldProblemDto] }) errors?: FieldProblemDto[];
}
