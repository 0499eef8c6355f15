namespace ZkTypedState.Client.Protocol;

/// <summary>Stable, allocation-free operation names for metrics and logs.</summary>
internal static class OpNames
{
    public static string Of(OpCode code) => code switch
    {
        OpCode.Create => "create",
        OpCode.Create2 => "create2",
        OpCode.CreateContainer => "createContainer",
        OpCode.CreateTtl => "createTTL",
        OpCode.Delete => "delete",
        OpCode.Exists => "exists",
        OpCode.GetData => "getData",
        OpCode.SetData => "setData",
        OpCode.GetAcl => "getACL",
        OpCode.SetAcl => "setACL",
        OpCode.GetChildren => "getChildren",
        OpCode.GetChildren2 => "getChildren2",
        OpCode.Sync => "sync",
        OpCode.Multi => "multi",
        OpCode.MultiRead => "multiRead",
        OpCode.SetWatches => "setWatches",
        OpCode.SetWatches2 => "setWatches2",
        OpCode.AddWatch => "addWatch",
        OpCode.RemoveWatches => "removeWatches",
        OpCode.CheckWatches => "checkWatches",
        OpCode.GetEphemerals => "getEphemerals",
        OpCode.GetAllChildrenNumber => "getAllChildrenNumber",
        OpCode.CloseSession => "closeSession",
        OpCode.WhoAmI => "whoAmI",
        _ => "other",
    };
}
