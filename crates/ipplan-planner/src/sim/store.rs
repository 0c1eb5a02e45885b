//! Where the simulation keeps its nodes: a node id is its launch number (the order the simulation visits nodes
//! in, on which its random draws depend), and a live node sits in a slot of [`NodeStore`]; a terminated node's
//! slot is freed at once (its ENI, slot and address lists dropped) and the next launch reuses it. So the memory
//! of the nodes follows the most nodes alive at once, not the nodes ever launched: a rolling update of N nodes
//! holds N + surge of them, not 2N, and a group scaled to 0 holds none. What stays per id ever launched is 4
//! bytes here (its slot) and the wake-up bookkeeping's few bytes (`sim/wakeups.rs`).

use std::ops::{Index, IndexMut};

use crate::sim::node::Node;

/// `slot_of` of a terminated node.
const GONE: u32 = u32::MAX;

/// The live nodes, by id (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeStore {
    /// Per id: its slot in `slots`, [`GONE`] once terminated.
    slot_of: Vec<u32>,
    /// The nodes; `None`: a free slot (listed in `free`).
    slots: Vec<Option<Node>>,
    /// Free slots, the last freed last (reused first).
    free: Vec<u32>,
}

impl NodeStore {
    /// Stores a newly launched node and returns its id (the next launch number).
    pub(crate) fn insert(&mut self, node: Node) -> u32 {
        let id = self.slot_of.len() as u32;
        let slot = if let Some(s) = self.free.pop() {
            self.slots[s as usize] = Some(node);
            s
        } else {
            self.slots.push(Some(node));
            (self.slots.len() - 1) as u32
        };
        self.slot_of.push(slot);
        id
    }

    /// Node `id`, `None` once terminated.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&Node> {
        let slot = *self.slot_of.get(id as usize)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Node `id`, `None` once terminated.
    #[inline]
    pub(crate) fn get_mut(&mut self, id: u32) -> Option<&mut Node> {
        let slot = *self.slot_of.get(id as usize)?;
        self.slots.get_mut(slot as usize)?.as_mut()
    }

    /// Takes node `id` out (terminated): its slot is free for the next launch.
    pub(crate) fn remove(&mut self, id: u32) -> Option<Node> {
        let slot = std::mem::replace(self.slot_of.get_mut(id as usize)?, GONE);
        let node = self.slots.get_mut(slot as usize)?.take();
        if node.is_some() {
            self.free.push(slot);
        }
        node
    }

    /// Ids handed out so far (nodes ever launched).
    pub(crate) fn ids(&self) -> usize {
        self.slot_of.len()
    }

    /// Node slots allocated: the most nodes alive at once so far.
    pub(crate) fn slots(&self) -> usize {
        self.slots.len()
    }

    /// The live nodes with their ids, in id (launch) order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &Node)> + '_ {
        self.slot_of.iter().enumerate().filter_map(|(id, &slot)| {
            let n = self.slots.get(slot as usize)?.as_ref()?;
            Some((id as u32, n))
        })
    }

    /// The live nodes in storage order (for sums, where the order does not matter).
    pub(crate) fn nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.slots.iter().flatten()
    }
}

/// Node `id` (it must be live).
impl Index<usize> for NodeStore {
    type Output = Node;

    #[inline]
    fn index(&self, id: usize) -> &Node {
        match self.get(id as u32) {
            Some(n) => n,
            None => gone(id),
        }
    }
}

impl IndexMut<usize> for NodeStore {
    #[inline]
    fn index_mut(&mut self, id: usize) -> &mut Node {
        match self.get_mut(id as u32) {
            Some(n) => n,
            None => gone(id),
        }
    }
}

#[cold]
#[inline(never)]
fn gone(id: usize) -> ! {
    panic!("node {id} is terminated")
}
