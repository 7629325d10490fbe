namespace ActorFarm.Functions;

/// <summary>
/// A user's functions, packaged in a class library for farm nodes to load: <c>farm node --functions PATH</c> (a .dll or a
/// folder) creates each public class implementing this interface with its public parameterless constructor and calls
/// <see cref="Register"/> once, beside the built-ins. Register the same module on every worker node; a master needs
/// none (it never decodes the items), and a client needs only the function's name and types.
/// <code>
/// public sealed class MyFunctions : IFarmFunctionModule
/// {
///     public void Register(FarmFunctionRegistry functions)
///     {
///         functions.Register&lt;long, long&gt;("cube", x =&gt; x * x * x, "x³");
///         functions.Register&lt;double, double, double&gt;("hypot", (x, y) =&gt; Math.Sqrt(x * x + y * y));
///         functions.RegisterWithSetup("classify", () =&gt; Model.Load("model.bin"), (Model m, Image i) =&gt; m.Classify(i));
///     }
/// }
/// </code>
/// </summary>
public interface IFarmFunctionModule
{
    /// <summary>
    /// Registers the module's functions. Called once per process, at start; an exception stops a node from starting
    /// (exit 2, naming the module and the exception), as does a name another module or a built-in already took.
    /// </summary>
    void Register(FarmFunctionRegistry functions);
}
