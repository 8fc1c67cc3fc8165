-- Schema version 2: load a whole tree in pre-order with one index range scan
-- instead of sorting its nodes by seq. The index also enforces that no two
-- nodes of a tree share a position.
CREATE UNIQUE INDEX resreg_tree_nodes_order ON resreg_tree_nodes (namespace, resource_code, seq);
