/*
 * roles.h: the extension's roles and the hook that keeps models of dropped
 * roles in order.
 */
#ifndef MM_ROLES_H
#define MM_ROLES_H



extern void MmRolesInit(void);

#endif							/* MM_ROLES_H */
