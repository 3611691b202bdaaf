"""The solver's constants: penalties, tolerances and the tuning of its steps."""

#: Cost charged per competitor pair left adjacent (only when capacity leaves no other way).
HARD_PENALTY = 1e4
#: Cost of an admitted applicant that could not be placed (plus up to as much again for
#: earlier applications, so that later ones drop first).
UNPLACED_PENALTY = 1e6
#: Area comparisons tolerate drawing noise (m²).
AREA_EPS = 0.01
#: Booths merge only along a shared wall longer than this (m).
MIN_SHARED_WALL = 0.5
#: The exact MILP of the whole linear problem builds the first solution, and gives the bound
#: HiGHS proves, for problems up to MILP_SOLVE_VARS / MILP_MAX_VARS applicant × column pairs.
#: Not more: at 150 applicants × 150–180 booths (~19,000 pairs) it took 0.4–16 s, and HiGHS
#: overran a 1 s time limit by 13 s (planted 150 / 180, seed 4); larger problems get the
#: restricted MILP below. Its time limit: EXACT_SHARE of the time then left.
MILP_SOLVE_VARS = 3_000
MILP_MAX_VARS = 3_000
EXACT_SHARE = 0.6
#: Larger problems get the exact MILP restricted to each applicant's EXACT_COLUMNS cheapest
#: columns (and the one it holds), while that stays within EXACT_VARS variables (0.5–2.7 s
#: at 500 applicants × 600 booths, ~26,000).
EXACT_COLUMNS = 30
#: … and each applicant needing merged booths its EXACT_GROUP_COLUMNS cheapest groups: a
#: group outside its zone can leave three booths inside it to three applicants of the track.
EXACT_GROUP_COLUMNS = 400
EXACT_VARS = 30_000
#: Branch-and-bound nodes HiGHS may use (a node limit keeps results deterministic).
MILP_NODE_LIMIT = 1000

#: Cluster moves: free booths nearest to each member, and its cheapest, as candidates;
#: rounds of local search and cluster moves in turn.
CLUSTER_NEAR = 24
CLUSTER_CHEAP = 12
POLISH_ROUNDS = 1
#: Rounds of the subgradient method that prices booths between groups and single booths
#: (fewer above COUPLING_BIG applicant × booth cells, where a round costs ~0.3 s).
COUPLING_ROUNDS = 10
COUPLING_BIG = 1_000_000
COUPLING_ROUNDS_BIG = 3

#: Shares of the time limit (what is left after reading the input): the construction's
#: optional steps stop at CONSTRUCT_SHARE, the bound's optional relaxations at
#: BOUND_SHARE of what is then left; the improvement runs until RESULT_RESERVE before the
#: limit (the report). Only the first linear solve and the first relaxation always run.
CONSTRUCT_SHARE = 0.3
BOUND_SHARE = 0.2
RESULT_RESERVE = 0.03
#: After the search stops, rounds of the restricted exact MILP and the search again run
#: while at least this share of the time limit is left.
REFINE_SHARE = 0.2
#: Problems too big for the restricted MILP whole get it window by window (one track's
#: applicants and its zone's holders at a time, 0.1–0.6 s each at 1,500 × 2,000) before
#: the search, for at most this share of the time then left.
WINDOW_SHARE = 0.5

TERMS = ("zone", "area", "kind", "partners", "competitors", "access", "stability")
