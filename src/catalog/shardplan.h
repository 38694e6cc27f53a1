/*
 * shardplan.h: statements that predict on the shards of a Citus table
 * resolve their model references on the coordinator.
 */
#ifndef MM_SHARDPLAN_H
#define MM_SHARDPLAN_H

extern void MmShardPlanInit(void);

#endif							/* MM_SHARDPLAN_H */
