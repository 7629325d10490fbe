// Tests that start farms or processes share two cores: run test classes one after another.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
