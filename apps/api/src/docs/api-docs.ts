import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { apiSchemas } from './api.schemas.js';
import { withReadableOperationIds } from './operation-ids.js';

export const API_DOCS_PATH = 'api/docs';

/** The OpenAPI document of every controller route, with the shared schemas as components. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Cidadão.AI streaming API')
    .setDescription('Investigations of Brazilian public contracts, streamed live over SSE and resumable by event id.')
    .setVersion('1')
    .addBearerAuth()
    .addServer('/', 'The server that serves this document')
    .addServer('http://localhost:8000', 'A local server (npm start)')
    .build();
  // Tags are the ones the routes declare; Nest would add one per controller ("Chat" beside "chat").
  const document = SwaggerModule.createDocument(app, config, { autoTagControllers: false });
  return {
    ...withReadableOperationIds(document),
    components: { ...document.components, schemas: { ...document.components?.schemas, ...apiSchemas() } },
  };
}

/** Swagger UI at /api/docs, the JSON document at /api/docs-json. */
export function setupApiDocs(app: INestApplication): void {
  SwaggerModule.setup(API_DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${API_DOCS_PATH}-json`,
    raw: ['json'],
  });
}
