/* Counter-based RNG: reproducible per stream, independent of order, statistically sane. */
#include "mn_test.h"
#include "mneedle/rng.h"

static void test_streams_reproducible(void **state)
{
    (void)state;
    mn_rng a, b, c;
    mn_rng_init(&a, 42, 7);
    mn_rng_init(&b, 42, 7);
    mn_rng_init(&c, 42, 8);
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = mn_rng_u64(&a);
        assert_true(x == mn_rng_u64(&b));
        same_c += x == mn_rng_u64(&c);
    }
    assert_int_equal(same_c, 0);
}

static void test_uniform_and_normal_moments(void **state)
{
    (void)state;
    mn_rng r;
    mn_rng_init(&r, 1, 0);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = mn_rng_uniform(&r);
        assert_true(u > 0 && u < 1);
        su += u;
        double z = mn_rng_normal(&r);
        sn += z;
        sn2 += z * z;
    }
    /* Tolerances are ~5 standard errors: 0.29/sqrt(n) = 6.5e-4 for the uniform mean. */
    assert_close(su / n, 0.5, 0, 0.0035);
    assert_close(sn / n, 0.0, 0, 0.012);
    assert_close(sn2 / n, 1.0, 0, 0.016);
    for (int i = 0; i < 1000; i++) {
        long k = mn_rng_int(&r, -3, 3);
        assert_true(k >= -3 && k <= 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_reproducible),
        cmocka_unit_test(test_uniform_and_normal_moments),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
