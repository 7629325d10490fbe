using ActorFarm.Functions;

namespace SampleFunctions;

/// <summary>Functions over a record type and a two-argument function: the cases the master must relay without decoding.</summary>
public sealed class GeometryFunctions : IFarmFunctionModule
{
    public void Register(FarmFunctionRegistry functions)
    {
        functions.Register<Point, double>("norm", p => Math.Sqrt(p.X * p.X + p.Y * p.Y), "length of a point's vector");
        functions.Register<Point, Point>("mirror", p => new Point(p.Y, p.X), "swaps X and Y");
        functions.Register<double, double, double>("hypot", (x, y) => Math.Sqrt(x * x + y * y), "sqrt(x² + y²)");
        functions.Register<long, long>("cube", x => x * x * x, "x³");
    }
}
