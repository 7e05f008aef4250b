//! A deterministic picture of the estate: segments as nested boxes in columns, services as
//! nodes inside them, the internet on the left, and one arrow per allowed service pair.
//!
//! Columns are the top-level segments in design order (five to a row, then the next row),
//! with nested segments stacked inside their parent and unsegmented services in a column of
//! their own. Nothing depends on the design's saved diagram positions or on hashing, so the
//! same design always draws the same picture.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::Design;
use bulkhead_core::matrix::Matrix;
use bulkhead_core::model::{Exposure, INTERNET, Sensitivity, ServiceKind};

/// Column width, gaps and sizes in SVG user units (pixels at 100%).
const COL_W: f64 = 200.0;
const COL_GAP: f64 = 56.0;
const ROW_GAP: f64 = 48.0;
const MARGIN: f64 = 16.0;
const HEADER: f64 = 24.0;
const PAD: f64 = 8.0;
const NODE_H: f64 = 26.0;
const NODE_GAP: f64 = 6.0;
const COLUMNS_PER_ROW: usize = 5;
/// Most arrows drawn; past it the picture says how many it left out.
pub const MAX_EDGES: usize = 600;
/// Most nesting drawn; deeper segments are drawn at this depth.
const MAX_DEPTH: usize = 6;

/// The picture, in SVG user units.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<SegmentBox>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Arrows left out (over [`MAX_EDGES`]).
    pub edges_omitted: usize,
}

/// A segment (or the unsegmented column) as a box.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentBox {
    /// Segment id, or empty for the unsegmented column.
    pub id: String,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub depth: usize,
}

/// A service (or the internet) as a node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Service id, or `internet`.
    pub id: String,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// The most sensitive data it holds or serves.
    pub sensitivity: Option<Sensitivity>,
    pub crown_jewel: bool,
    pub internet_facing: bool,
    /// Reached by the worst-case breach from the internet.
    pub reached: bool,
    pub kind: Option<ServiceKind>,
}

/// One allowed caller → target pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Some allowed port needs no credential at all.
    pub unauthenticated: bool,
    /// SVG path data.
    pub d: String,
}

/// The internet-reached services come from a simulation; pass an empty set for none.
pub fn layout(design: &Design, matrix: &Matrix, reached: &BTreeSet<String>) -> Picture {
    let seg_index: BTreeMap<&str, usize> = design
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // Children of each segment, in design order; roots are segments without a known parent.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); design.segments.len()];
    let mut roots = Vec::new();
    for (i, s) in design.segments.iter().enumerate() {
        match s.parent.as_deref().and_then(|p| seg_index.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    // Each service is drawn once, in its deepest segment (as the evaluator decides).
    let eval = bulkhead_core::eval::Evaluator::new(design);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); design.segments.len()];
    let mut unsegmented = Vec::new();
    for (si, s) in design.services.iter().enumerate() {
        match eval.segment_of(&s.id).and_then(|seg| seg_index.get(seg)) {
            Some(&g) => members[g].push(si),
            None => unsegmented.push(si),
        }
    }

    let mut pic = Picture {
        width: 0.0,
        height: 0.0,
        boxes: Vec::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
        edges_omitted: 0,
    };
    // Columns: internet, root segments, unsegmented.
    enum Column {
        Internet,
        Root(usize),
        Unsegmented,
    }
    let mut columns = vec![Column::Internet];
    columns.extend(roots.iter().map(|&r| Column::Root(r)));
    if !unsegmented.is_empty() {
        columns.push(Column::Unsegmented);
    }

    let node = |design: &Design, si: usize, x: f64, y: f64, w: f64| -> Node {
        let s = &design.services[si];
        let classes = s
            .data_held
            .iter()
            .chain(s.endpoints.iter().flat_map(|e| e.data_classes.iter()));
        let mut sensitivity = None;
        let mut crown = false;
        for c in classes {
            if let Some(dc) = design.data_class(c) {
                sensitivity = sensitivity.max(Some(dc.sensitivity));
                crown |= dc.crown_jewel;
            }
        }
        Node {
            id: s.id.clone(),
            label: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
            x,
            y,
            w,
            h: NODE_H,
            sensitivity,
            crown_jewel: crown,
            internet_facing: s.exposure == Exposure::Internet,
            reached: reached.contains(&s.id),
            kind: Some(s.kind),
        }
    };

    // Height of a segment box with its members and nested boxes.
    fn box_height(
        seg: usize,
        children: &[Vec<usize>],
        members: &[Vec<usize>],
        depth: usize,
    ) -> f64 {
        let mut h = HEADER + members[seg].len() as f64 * (NODE_H + NODE_GAP);
        if depth < MAX_DEPTH {
            for &c in &children[seg] {
                h += box_height(c, children, members, depth + 1) + NODE_GAP;
            }
        }
        h + PAD
    }

    #[allow(clippy::too_many_arguments)]
    fn place(
        design: &Design,
        seg: usize,
        x: f64,
        y: f64,
        w: f64,
        depth: usize,
        children: &[Vec<usize>],
        members: &[Vec<usize>],
        pic: &mut Picture,
        node: &dyn Fn(&Design, usize, f64, f64, f64) -> Node,
    ) -> f64 {
        let h = box_height(seg, children, members, depth);
        let s = &design.segments[seg];
        pic.boxes.push(SegmentBox {
            id: s.id.clone(),
            label: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
            x,
            y,
            w,
            h,
            depth,
        });
        let mut cy = y + HEADER;
        for &si in &members[seg] {
            pic.nodes.push(node(design, si, x + PAD, cy, w - 2.0 * PAD));
            cy += NODE_H + NODE_GAP;
        }
        if depth < MAX_DEPTH {
            for &c in &children[seg] {
                let ch = place(
                    design,
                    c,
                    x + PAD,
                    cy,
                    w - 2.0 * PAD,
                    depth + 1,
                    children,
                    members,
                    pic,
                    node,
                );
                cy += ch + NODE_GAP;
            }
        }
        h
    }

    let mut y = MARGIN;
    for row in columns.chunks(COLUMNS_PER_ROW) {
        let mut row_h: f64 = 0.0;
        for (ci, col) in row.iter().enumerate() {
            let x = MARGIN + ci as f64 * (COL_W + COL_GAP);
            let h = match col {
                Column::Internet => {
                    pic.nodes.push(Node {
                        id: INTERNET.into(),
                        label: "Internet".into(),
                        x,
                        y: y + HEADER,
                        w: COL_W,
                        h: NODE_H + 8.0,
                        sensitivity: None,
                        crown_jewel: false,
                        internet_facing: true,
                        reached: true,
                        kind: None,
                    });
                    HEADER + NODE_H + 8.0
                }
                Column::Root(r) => place(
                    design, *r, x, y, COL_W, 0, &children, &members, &mut pic, &node,
                ),
                Column::Unsegmented => {
                    let h = HEADER + unsegmented.len() as f64 * (NODE_H + NODE_GAP) + PAD;
                    pic.boxes.push(SegmentBox {
                        id: String::new(),
                        label: "Unsegmented".into(),
                        x,
                        y,
                        w: COL_W,
                        h,
                        depth: 0,
                    });
                    for (i, &si) in unsegmented.iter().enumerate() {
                        pic.nodes.push(node(
                            design,
                            si,
                            x + PAD,
                            y + HEADER + i as f64 * (NODE_H + NODE_GAP),
                            COL_W - 2.0 * PAD,
                        ));
                    }
                    h
                }
            };
            row_h = row_h.max(h);
            pic.width = pic.width.max(x + COL_W + MARGIN);
        }
        y += row_h + ROW_GAP;
    }
    pic.height = y - ROW_GAP + MARGIN;

    // Arrows: one per allowed pair.
    let at: BTreeMap<&str, (f64, f64, f64, f64)> = pic
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), (n.x, n.y, n.w, n.h)))
        .collect();
    let mut pairs: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for e in &matrix.entries {
        let open = pairs.entry((e.from.as_str(), e.to.as_str())).or_default();
        *open |= e.open_without_auth();
    }
    for ((from, to), open) in pairs {
        if pic.edges.len() >= MAX_EDGES {
            pic.edges_omitted += 1;
            continue;
        }
        let (Some(a), Some(b)) = (at.get(from), at.get(to)) else {
            continue;
        };
        let (ax, ay) = (a.0 + a.2, a.1 + a.3 / 2.0);
        let (bx, by) = (b.0, b.1 + b.3 / 2.0);
        let d = if bx > ax {
            let dx = ((bx - ax) / 2.0).max(30.0);
            format!(
                "M{ax:.1},{ay:.1} C{:.1},{ay:.1} {:.1},{by:.1} {bx:.1},{by:.1}",
                ax + dx,
                bx - dx
            )
        } else {
            // Backwards or same column: leave right, loop round, enter from the left.
            format!(
                "M{ax:.1},{ay:.1} C{:.1},{ay:.1} {:.1},{by:.1} {bx:.1},{by:.1}",
                ax + 40.0,
                bx - 40.0,
            )
        };
        pic.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            unauthenticated: open,
            d,
        });
    }
    pic
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::eval::Evaluator;
    use bulkhead_core::generate::{GenerateOptions, generate};
    use bulkhead_core::matrix::matrix;

    #[test]
    fn every_service_is_drawn_once_inside_its_segment_box() {
        let d = generate(&GenerateOptions {
            services: 40,
            peers: 5,
            seed: 3,
        });
        let m = matrix(&Evaluator::new(&d));
        let p = layout(&d, &m, &BTreeSet::new());
        assert_eq!(p.nodes.len(), d.services.len() + 1);
        let eval = Evaluator::new(&d);
        for n in p.nodes.iter().filter(|n| n.id != INTERNET) {
            let seg = eval.segment_of(&n.id).unwrap_or("");
            let b = p.boxes.iter().find(|b| b.id == seg).expect("segment box");
            assert!(
                n.x >= b.x && n.x + n.w <= b.x + b.w && n.y >= b.y && n.y + n.h <= b.y + b.h,
                "{} outside {}",
                n.id,
                b.id
            );
            assert!(n.x + n.w <= p.width && n.y + n.h <= p.height);
        }
        // Deterministic.
        assert_eq!(p, layout(&d, &m, &BTreeSet::new()));
    }
}
