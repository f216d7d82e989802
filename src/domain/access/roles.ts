import { z } from 'zod';
import { forbidden } from '../../shared/errors.ts';

export const Role = z.enum(['owner', 'admin', 'responder', 'viewer'], {
  error: 'must be one of owner, admin, responder, viewer',
});
export type Role = z.infer<typeof Role>;
export const ROLES = Role.options;

export const ROLE_LABEL: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  responder: 'Responder',
  viewer: 'Viewer',
};

export type Permission = 'integration:manage' | 'incident:edit' | 'incident:view' | 'member:manage' | 'audit:view';

const GRANTS: Record<Permission, readonly Role[]> = {
  'integration:manage': ['owner', 'admin'],
  'incident:edit': ['owner', 'admin', 'responder'],
  'incident:view': ['owner', 'admin', 'responder', 'viewer'],
  'member:manage': ['owner', 'admin'],
  'audit:view': ['owner', 'admin'],
};

/** Why a role lacks a permission, in words a user understands, and who can help. */
export const MISSING_PERMISSION: Record<Permission, string> = {
  'integration:manage': "Your role can't manage integrations. Ask an Owner or Admin.",
  'incident:edit': "Your role can't edit incidents. Ask an Owner or Admin.",
  'incident:view': "Your role can't view incidents. Ask an Owner or Admin.",
  'member:manage': "Your role can't manage members. Ask an Owner or Admin.",
  'audit:view': "Your role can't view the audit log. Ask an Owner or Admin.",
};

export const can = (role: Role, permission: Permission): boolean => GRANTS[permission].includes(role);

export const rolesWith = (permission: Permission): readonly Role[] => GRANTS[permission];

export function requirePermission(actor: { role: Role }, permission: Permission): void {
  if (!can(actor.role, permission)) {
    throw forbidden(MISSING_PERMISSION[permission], `People with the ${rolesWith(permission).map((r) => ROLE_LABEL[r]).join(' or ')} role can do this.`);
  }
}
