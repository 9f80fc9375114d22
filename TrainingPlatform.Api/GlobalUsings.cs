// What most feature files use: results and problems (Http), the data source and its SQL (Npgsql, Dapper, Data), the caller.
global using System.Security.Claims;
global using Dapper;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Npgsql;
global using TrainingPlatform.Api.Data;
global using TrainingPlatform.Api.Http;
