import { SetMetadata, type ExecutionContext, type Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { Permission } from '#platform';

const IS_PUBLIC = 'auth:public';
const REQUIRED_PERMISSION = 'auth:permission';

/** No token, no rate limit: probes and scrapers (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The caller's roles must grant this permission (403 otherwise); ownership is checked by the handler. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function | Type;

export const isPublicHandler = (reflector: Reflector, handler: Target, controller: Type): boolean =>
  reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) === true;

export const permissionOfHandler = (reflector: Reflector, handler: Target, controller: Type): Permission | undefined =>
  reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [handler, controller]);

export const isPublic = (reflector: Reflector, context: ExecutionContext): boolean =>
  isPublicHandler(reflector, context.getHandler(), context.getClass());

export const requiredPermission = (reflector: Reflector, context: ExecutionContext): Permission | undefined =>
  permissionOfHandler(reflector, context.getHandler(), context.getClass());
