/* rank_corr.h: Spearman rank correlation between two sets of per-layer scores. */
#ifndef LWQ_RANK_CORR_H
#define LWQ_RANK_CORR_H

/* Ranks of v[0..n) in ascending order, 1-based, tied values sharing the mean of their
   ranks. */
void average_ranks(const double *v, int n, double *ranks);

/* Spearman's rho: Pearson's correlation of the average ranks of a and b (ties handled
   as above). NAN when n < 2 or either set is constant. */
double spearman(const double *a, const double *b, int n);

#endif
